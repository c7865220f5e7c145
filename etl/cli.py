"""`python -m etl <command>`: the pipeline's command line (spec/interfaces.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from etl.settings import default_warehouse

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl", description="旬邑县台账数据处理")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--warehouse", type=Path, default=None,
        help="已发布的数据仓库文件（默认 data/xunyi.duckdb，或环境变量 XUNYI_WAREHOUSE）",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", parents=[common], help="生成演示县的一年台账")
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--year", type=int, default=2024)
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--scale", type=float, default=1.0)

    load = commands.add_parser("load", parents=[common], help="加载一个目录下的全部台账")
    load.add_argument("directory", type=Path)

    commands.add_parser("status", parents=[common], help="各台账各月的加载情况")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    warehouse = (args.warehouse or default_warehouse()).resolve()
    if args.command == "generate":
        from generator import generate

        generate(args.out, year=args.year, seed=args.seed, scale=args.scale)
        return EXIT_OK
    if args.command == "load":
        return _load(args.directory, warehouse)
    if args.command == "status":
        from etl.status import print_status

        return print_status(warehouse)
    return EXIT_USAGE


def _load(directory: Path, warehouse: Path) -> int:
    if not directory.is_dir():
        print(f"错误：找不到目录 {directory}", file=sys.stderr)
        return EXIT_USAGE
    from etl.load import load_directory
    from etl.warehouse import publishing

    with publishing(warehouse) as build:
        outcomes = load_directory(build.con, directory)
    rejected = sum(o.status == "rejected" for o in outcomes)
    print(f"完成：{len(outcomes)} 个文件，拒收 {rejected} 个；已发布 {warehouse}")
    return EXIT_REJECTED if rejected else EXIT_OK
