"""Validates a JSON document against a JSON Schema, with the `jsonschema` package.

    python3 validate_json.py SCHEMA DOCUMENT [--items ITEM_SCHEMA]

`--items` also validates each element of the document (an array) against ITEM_SCHEMA. Prints
every error and exits 1 when there is one, 0 when the document is valid; exits 3 when the
`jsonschema` package is missing, so that a caller can tell a missing tool from a bad document.
"""

import json
import sys

try:
    import jsonschema
except ImportError:
    print("the jsonschema package is not installed", file=sys.stderr)
    sys.exit(3)


def errors(schema_path, document):
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    return [f"{schema_path}: {list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--items"):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        document = json.load(f)
    found = errors(argv[0], document)
    if len(argv) == 4:
        for item in document if isinstance(document, list) else []:
            found += errors(argv[3], item)
    for e in found:
        print(e)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
