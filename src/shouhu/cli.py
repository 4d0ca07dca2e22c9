"""The `shouhu` command: Django's management commands under the project's own name.

shouhu load-regions 341623
shouhu demo-accounts --json
"""

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["field-key"]:  # a new key, before any key (or database) is configured
        from cryptography.fernet import Fernet

        print(Fernet.generate_key().decode("ascii"))
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouhu.settings")
    from django.core.management import execute_from_command_line

    argv = [sys.argv[0], *[a.replace("-", "_") if i == 0 else a for i, a in enumerate(sys.argv[1:])]]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
