"""The classroom: ``orgsim app``, change spreading through an org chart in the browser."""
