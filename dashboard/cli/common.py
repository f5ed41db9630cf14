"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import argparse
from pathlib import Path

from dashboard import config
from dashboard.store import Store, open_store


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="数据库文件（默认 data/supervision.duckdb 或环境变量 DASHBOARD_DB）",
    )


def store_from_args(args: argparse.Namespace) -> Store:
    """Open the store named by --db (raises StoreError with one Chinese sentence, e.g. when locked)."""
    return open_store(args.db or config.db_path())


CLI_ACTOR = "命令行"
