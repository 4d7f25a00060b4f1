"""Start the L4YERCAK3 operator console (same as the `l4-console` command)."""

from console.app import main

if __name__ == "__main__":
    raise SystemExit(main())
