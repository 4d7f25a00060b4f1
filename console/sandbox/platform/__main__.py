"""Run the platform sandbox by hand: `python -m console.sandbox.platform --db demo.db`."""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from console.sandbox.host import serve
from console.sandbox.platform.sandbox import PlatformSandbox
from console.sandbox.platform.seed import SeedScale
from console.sandbox.platform.state import TrafficConfig

logger = logging.getLogger(__name__)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the l4yercak3 platform sandbox.")
    parser.add_argument("--db", type=Path, default=Path("platform-sandbox.db"))
    parser.add_argument("--port", type=int, default=8787)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--traffic", type=float, default=0.5, help="steps per second (0: none)")
    parser.add_argument("--conversations", type=int, help="seed this many conversations")
    parser.add_argument("--messages", type=int, help="seed this many messages in all")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    traffic = TrafficConfig(rate_per_second=args.traffic) if args.traffic > 0 else None
    scale = (
        SeedScale(conversations=args.conversations, messages=args.messages)
        if args.conversations
        else None
    )
    sandbox = PlatformSandbox(args.db, seed=args.seed, scale=scale, traffic=traffic)
    served = serve("platform", sandbox.asgi, port=args.port)
    print(f"platform sandbox on {served.url}/api/v1  (API key: {sandbox.api_key})", flush=True)  # noqa: T201 - a CLI
    try:
        while served.thread.is_alive():
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        served.stop()
        sandbox.close()


if __name__ == "__main__":
    main()
