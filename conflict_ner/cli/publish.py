"""`conflict-ner publish FOLDER --repo-id ID`: upload a checked model folder to the Hugging Face Hub."""

from __future__ import annotations

import sys


def add_parser(sub):
    p = sub.add_parser("publish", help="upload a model folder (weights, tokenizer, config, card) to the Hugging Face Hub")
    p.add_argument("folder", help="model folder with model.safetensors, tokenizer.json, config.json and README.md")
    p.add_argument("--repo-id", required=True, help="NAMESPACE/NAME of the model repository (created if missing)")
    p.add_argument("--private", action="store_true", help="create the repository private")
    p.add_argument("--dry-run", default=None, metavar="DIR",
                   help="upload nothing: copy exactly the files that would be uploaded into DIR (new or empty) and list them")
    p.add_argument("--token", default=None, help="Hub token (default: $HF_TOKEN, else the saved login)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..hub.publish import PublishError, dry_run, publish

    try:
        if args.dry_run:
            files = dry_run(args.folder, args.dry_run)
            print(f"dry run: {len(files)} file(s) that would go to {args.repo_id}, copied to {args.dry_run}:")
            for f in files:
                print(f"  {f}")
            return 0
        out = publish(args.folder, args.repo_id, private=args.private, token=args.token)
    except PublishError as exc:
        print(f"conflict-ner publish: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # network and Hub errors: say what failed, no traceback
        print(f"conflict-ner publish: upload to {args.repo_id} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"uploaded {len(out['files'])} file(s) to {out['repo_url']}")
    print(f"commit: {out['commit_url']}")
    return 0
