"""`python -m publisher` runs the command line."""
from .cli import main

if __name__ == "__main__":  # not when a worker process imports it
    main(prog_name="publisher")
