"""`aacap metrics download fense|spice`: fetch what the official metrics need (the only aacap
command that uses the network for metrics; see aacap/metrics/downloads.py).

  fense  paraphrase-TinyBERT-L6-v2 and bert-base-uncased's tokenizer (Hugging Face hub, into its
         cache) and FENSE's error detector (HTTP, sha256-checked, into fense's data folder).
  spice  Stanford CoreNLP 3.6.0 (HTTP, SHA-1-checked) next to SPICE 1.0 in $AACAP_CACHE/spice,
         and, on Java >= 15, the stand-in JavaScript engine SPICE 1.0 needs (compiled with javac).
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("metrics", help="download the model files of FENSE and the jars of official SPICE",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    d = sub.add_parser("download", help="fetch FENSE's models or SPICE's CoreNLP jars")
    d.add_argument("what", choices=["fense", "spice"], nargs="+")
    d.add_argument("--hub-endpoint", help="Hugging Face hub address (default: huggingface_hub's, or $HF_ENDPOINT)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aacap.metrics.downloads import DownloadError, download_fense, download_spice

    try:
        for what in dict.fromkeys(args.what):
            if what == "fense":
                paths = download_fense(hub_endpoint=args.hub_endpoint)
                print("fense: " + ", ".join(str(p) for p in paths))
            else:
                print(f"spice: {download_spice()}")
    except DownloadError as e:
        raise ValueError(str(e)) from None
    return 0
