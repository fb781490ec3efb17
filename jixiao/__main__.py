"""``python -m jixiao``: the same command as ``jixiao`` (useful where the
script directory is not on PATH, or to pick the interpreter explicitly)."""

from jixiao.cli import main

if __name__ == "__main__":
    main(prog_name="jixiao")
