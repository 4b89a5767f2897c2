"""The classic results of diffusion research, as studies on the orgsim engine.

Each study is an ``experiment/`` config run through ``orgsim -m`` into the
normal store; this edge reads the store and computes what the papers compare
against (the analytic cascade window of Watts 2002, the Bass recursion and
closed form), and draws the figures the README shows.
"""
