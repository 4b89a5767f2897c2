"""``orgsim app``: serve the classroom on this machine, with no internet needed.

Solara's page asks its own server for its JavaScript, CSS and fonts
(``/_solara/cdn/...``); the server answers from a cache folder and fetches
what is missing from a CDN. A classroom behind a firewall has no CDN, so
``orgsim app --build-assets`` fills the cache once from the npm registry
(the same packages the CDN serves), and ``orgsim app`` points Solara at it.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

__all__ = ["ASSETS", "app_main", "default_cache"]

#: The npm packages (name, version) the page loads through Solara's CDN path.
ASSETS = [
    ("@widgetti/solara-vuetify-app", "10.1.1"),
    ("font-awesome", "4.5.0"),
    ("requirejs", "2.3.6"),
    ("@widgetti/vue-grid-layout", "2.3.13-alpha.2"),  # SolaraViz's grid of components
]


def default_cache() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "orgsim" / "solara-cdn"


def build_assets(cache: Path, registry="https://registry.npmjs.org") -> None:
    """Download each package of :data:`ASSETS` from ``registry`` into ``cache/<name>@<version>``."""
    import io
    import tarfile

    import requests

    for name, version in ASSETS:
        target = cache / f"{name}@{version}"
        if (target / "package.json").is_file():
            continue
        tail = name.split("/")[-1]
        url = f"{registry}/{name}/-/{tail}-{version}.tgz"
        response = requests.get(url, timeout=60)
        response.raise_for_status()
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as archive:
            for member in archive.getmembers():
                if not member.isfile():
                    continue
                relative = Path(member.name).relative_to("package")
                path = (target / relative).resolve()
                if not str(path).startswith(str(target.resolve())):
                    continue  # a path leaving the package: never written
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(archive.extractfile(member).read())
        print(f"orgsim app: {name}@{version} -> {target}")


def _port(text):
    """The port number, or None when ``text`` is not one (1..65535)."""
    try:
        port = int(text)
    except ValueError:
        return None
    return port if 1 <= port <= 65535 else None


def app_main(argv=None, prog="orgsim app") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Serve the orgsim classroom.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on "
                        "(default 127.0.0.1: this machine only)")  # fmt: skip
    parser.add_argument("--port", default="8765", help="port to listen on, 1-65535 "
                        "(default 8765)")  # fmt: skip
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="also answer pages addressed to NAME (or NAME:PORT; '*': any), "
                        "e.g. the classroom machine's name on a network; by default only "
                        "localhost, 127.0.0.1, [::1] and --host:--port")  # fmt: skip
    parser.add_argument("--max-upload-mb", type=float, default=20.0,
                        help="the largest org chart CSV a page may upload, in MB (default "
                        "%(default)g)")  # fmt: skip
    parser.add_argument("--assets", type=Path, default=default_cache(),
                        help="the page's assets (default: %(default)s)")  # fmt: skip
    parser.add_argument("--build-assets", action="store_true",
                        help="fill --assets from the npm registry (once, with internet), then "
                        "exit")  # fmt: skip
    args = parser.parse_args(argv)
    if args.build_assets:
        try:
            build_assets(args.assets)
        except Exception as error:  # the network, the disk: one line
            print(f"{prog}: error: cannot build the assets in {args.assets}: {error}",
                  file=sys.stderr)  # fmt: skip
            return 1
        return 0
    port = _port(args.port)
    if port is None:
        print(f"{prog}: error: --port must be a number from 1 to 65535. Got {args.port!r}.",
              file=sys.stderr)  # fmt: skip
        return 2
    if not args.max_upload_mb > 0:
        print(f"{prog}: error: --max-upload-mb must be more than 0. Got {args.max_upload_mb:g}.",
              file=sys.stderr)  # fmt: skip
        return 2
    import importlib.util

    if importlib.util.find_spec("solara") is None:
        print(f'{prog}: error: solara is not installed: pip install -e ".[app]"', file=sys.stderr)
        return 2
    missing = [f"{n}@{v}" for n, v in ASSETS if not (args.assets / f"{n}@{v}").is_dir()]
    if missing:
        print(f"{prog}: error: the page's assets are not in {args.assets} "
              f"({', '.join(missing)}); run `{prog} --build-assets` once (it needs the npm "
              "registry)", file=sys.stderr)  # fmt: skip
        return 2
    from sim.app.serve import bind, serve

    try:
        sock = bind(args.host, port)
    except OSError as error:  # in use, or an address this machine does not have
        why = "is in use" if error.errno == errno.EADDRINUSE else (
            f"cannot be listened on ({error.strerror or error})")  # fmt: skip
        print(f"{prog}: error: {args.host}:{port} {why}; choose another with --port",
              file=sys.stderr)  # fmt: skip
        return 2
    env = {
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(args.assets),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_THEME_SHOW_BANNER": "False",  # the badge would cover the org chart
        "SOLARA_KERNEL_CULL_TIMEOUT": os.environ.get("SOLARA_KERNEL_CULL_TIMEOUT", "1h"),
        "ORGSIM_MAX_UPLOAD_MB": f"{args.max_upload_mb:g}",
    }
    print(f"orgsim app: http://{args.host}:{port}/", flush=True)
    try:
        serve(sock, host=args.host, port=port, allowed=args.allow_host, env=env)
    except KeyboardInterrupt:
        pass
    return 0
