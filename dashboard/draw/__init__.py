"""Verifiable draw (DESIGN.md §6, protocol v1): engine, ledger, certificates, verification.

The pure protocol lives in `protocol` (standard library only; identical to tools/verify_certificate.py),
the bulk fast path in `engine`, store-facing operations in `service`, `ledger` and `documents`.
"""

from dashboard.draw.documents import certificate_html, dispatch_sheet, public_certificate_html
from dashboard.draw.ledger import (
    Difference,
    certificate,
    certificate_against_store,
    chain_head,
    check_head,
    head_text,
    ledger,
    names_for,
    parse_head,
    publication_list,
    publication_with_head,
    redraws_per_unit,
    verify_certificate,
    verify_store,
)
from dashboard.draw.service import (
    DrawError,
    DrawPreview,
    confirm_draw,
    parse_ratio_args,
    preview,
    preview_request,
    redraw,
    revisit_preview,
    run_draw,
    run_revisit_draw,
)

__all__ = [
    "Difference",
    "DrawError",
    "DrawPreview",
    "certificate",
    "certificate_html",
    "confirm_draw",
    "dispatch_sheet",
    "ledger",
    "names_for",
    "parse_ratio_args",
    "preview",
    "preview_request",
    "public_certificate_html",
    "publication_list",
    "redraw",
    "redraws_per_unit",
    "revisit_preview",
    "run_draw",
    "run_revisit_draw",
    "verify_certificate",
    "verify_store",
    "certificate_against_store",
    "chain_head",
    "check_head",
    "head_text",
    "parse_head",
    "publication_with_head",
]
