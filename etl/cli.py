"""`python -m etl <command>`: the pipeline's command line (spec/interfaces.md)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from etl.settings import (
    csv_batch_rows,
    default_warehouse,
    max_csv_mb,
    max_file_mb,
    max_inflated_mb,
    max_upload_mb,
)

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
# A check could not be evaluated because of the check itself (stored not_evaluated with its
# note; the rest ran and were published): the platform needs fixing, not the data.
EXIT_CHECK_FAULT = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl", description="旬邑县台账数据处理")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        help="已发布的数据仓库文件（默认 data/xunyi.duckdb，或环境变量 XUNYI_WAREHOUSE）",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", parents=[common], help="生成演示县的一年台账")
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--year", type=int, default=2024)
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--scale", type=float, default=1.0)
    gen.add_argument(
        "--format",
        choices=("mixed", "csv"),
        default="mixed",
        help="mixed：各部门常用的 .xlsx/.xls/.csv；csv：除故意损坏的文件外全部写成 CSV",
    )

    load = commands.add_parser("load", parents=[common], help="加载一个目录下的全部台账")
    load.add_argument("directory", type=Path)

    validate = commands.add_parser("validate", parents=[common], help="运行全部数据核查")
    validate.add_argument("--period", help="只核查这个月份（YYYY-MM）")
    validate.add_argument(
        "--fail-on", choices=["error", "warning"], help="有此级别的核查未通过时退出码为 1"
    )

    run = commands.add_parser("run", parents=[common], help="加载、核查、计算指标，一次发布")
    run.add_argument("directory", type=Path)

    commands.add_parser("status", parents=[common], help="各台账各月的加载情况")

    upload = commands.add_parser(
        "upload", parents=[common], help="上传一个更正后的台账文件：加载、核查该月、发布"
    )
    upload.add_argument("source", help="台账（如 employment）")
    upload.add_argument("file", type=Path)
    upload.add_argument("--name", help="记录的文件名（默认取文件本身的名字）")
    upload.add_argument("--by", default="", help="上传人（账号）")

    templates = commands.add_parser(
        "templates", parents=[common], help="为每个台账写出空白的 Excel 报送模板"
    )
    templates.add_argument("directory", type=Path, help="模板写到这个目录下的 <台账>/ 中")

    pack = commands.add_parser(
        "pack", parents=[common], help="生成某月的季调度材料（PDF）和月通报（Word，全县及各镇）"
    )
    pack.add_argument("--month", required=True, help="截至月份（YYYY-MM）")
    pack.add_argument("--out", type=Path, required=True, help="写到这个目录")

    users = commands.add_parser(
        "users",
        parents=[common],
        help="管理本地登录账号（账号文件 data/accounts.toml，或环境变量 XUNYI_ACCOUNTS）",
    )
    actions = users.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="新建账号（密码自动生成并只显示一次）")
    add.add_argument("username")
    add.add_argument("--role", required=True, help="领导、分析员、乡镇专员、数据专员或管理员")
    add.add_argument("--name", default="", help="显示的姓名")
    add.add_argument("--town", help="乡镇专员所在镇（街道）的 9 位代码")
    for verb, text in (("disable", "停用账号"), ("enable", "重新启用账号"), ("reset", "重置密码")):
        actions.add_parser(verb, help=text).add_argument("username")
    actions.add_parser("list", help="列出全部账号")
    actions.add_parser("demo", help="创建演示账号（每个角色一个，仅用于演示数据）并列出")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except _Usage:
        return EXIT_USAGE


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    warehouse = (args.warehouse or default_warehouse()).resolve()
    if args.command in ("load", "run", "upload"):
        try:  # the limits on what a file may cost to read (etl/settings.py)
            max_inflated_mb(), max_file_mb(), max_csv_mb(), max_upload_mb(), csv_batch_rows()
        except ValueError as e:
            print(f"错误：{e}", file=sys.stderr)
            return EXIT_USAGE
    if args.command == "users":
        return _users(args, warehouse)
    if args.command == "generate":
        from generator import generate

        generate(
            args.out, year=args.year, seed=args.seed, scale=args.scale, file_format=args.format
        )
        return EXIT_OK
    if args.command == "load":
        return _write(warehouse, directory=args.directory)
    if args.command == "validate":
        if args.period and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.period):
            print(f"错误：--period 应为 YYYY-MM，收到 {args.period}", file=sys.stderr)
            return EXIT_USAGE
        return _write(warehouse, validate=True, period=args.period, fail_on=args.fail_on)
    if args.command == "run":
        return _write(warehouse, directory=args.directory, validate=True)
    if args.command == "templates":
        return _templates(args.directory)
    if args.command == "upload":
        return _upload(warehouse, args.source, args.file, args.name, args.by)
    if args.command == "pack":
        return _pack(warehouse, args.month, args.out)
    if args.command == "status":
        from etl.status import print_status

        return print_status(warehouse)
    return EXIT_USAGE


def _write(
    warehouse: Path,
    directory: Path | None = None,
    validate: bool = False,
    period: str | None = None,
    fail_on: str | None = None,
) -> int:
    """Load and/or validate on a private copy, refresh the indicators, publish."""
    if directory is not None and not directory.is_dir():
        print(f"错误：找不到目录 {directory}", file=sys.stderr)
        return EXIT_USAGE
    if directory is None and not warehouse.exists():
        print(f"错误：还没有数据仓库 {warehouse}，请先加载台账", file=sys.stderr)
        return EXIT_USAGE
    from etl.indicators import refresh_indicators
    from etl.warehouse import prepare_warehouse, rebuilding, writer_lock

    outcomes = []
    faults = []
    validation = standing = None
    with writer_lock(warehouse):
        with rebuilding(warehouse, lambda b: prepare_warehouse(b, warehouse)) as build:
            if directory is not None:
                from etl.load import load_directory

                outcomes = load_directory(build.con, directory)
            if validate:
                from expectations.validate import NoSuchPeriod, standing_results
                from expectations.validate import validate as run_checks

                print("正在运行数据核查……", flush=True)
                try:
                    # `run` re-evaluates what its files changed; `validate` everything.
                    validation = run_checks(build, period, incremental=directory is not None)
                except NoSuchPeriod:
                    print(f"错误：数据仓库中没有 {period} 的数据", file=sys.stderr)
                    raise _Usage from None
                _print_checks(build.con, validation)
                faults = validation.faults
                _print_faults(faults)
                standing = standing_results(build.con, validation.months)
            print("正在计算指标……", flush=True)
            refresh_indicators(build.con)
            failed = _failed_severities(build.con, period) if validate else set()
        if validation is not None:  # the history outlives the warehouse: the journal
            from etl import journal

            journal.record_run(warehouse, validation, standing, "run" if directory else "validate")
    rejected = sum(o.status == "rejected" for o in outcomes)
    from etl import audit

    if directory is not None:
        what = f"加载目录 {directory.name}：{len(outcomes)} 个文件，拒收 {rejected} 个"
    else:
        what = f"运行数据核查{'（' + period + '）' if period else ''}"
    audit.record(warehouse, "load", audit.command_line_user(), what=what, source="命令行")
    if directory is not None:
        print(f"完成：{len(outcomes)} 个文件，拒收 {rejected} 个；已发布 {warehouse}")
    else:
        print(f"完成：已发布 {warehouse}")
    if faults:
        return EXIT_CHECK_FAULT
    if rejected:
        return EXIT_REJECTED
    if fail_on == "error" and "error" in failed:
        return EXIT_REJECTED
    if fail_on == "warning" and failed:
        return EXIT_REJECTED
    return EXIT_OK


def _upload(warehouse: Path, source: str, path: Path, name: str | None, by: str) -> int:
    """One corrected file, as the dashboard's upload does it (etl/upload.py)."""
    from etl.declarations import sources
    from etl.upload import upload

    if source not in sources():
        print(f"错误：没有名为 {source} 的台账（可选：{'、'.join(sources())}）", file=sys.stderr)
        return EXIT_USAGE
    if not path.is_file():
        print(f"错误：找不到文件 {path}", file=sys.stderr)
        return EXIT_USAGE
    result = upload(warehouse, source, name or path.name, path.read_bytes(), by)
    words = {"loaded": "已加载", "unchanged": "未变化", "rejected": "已拒收"}
    print(f"{result.file_name or path.name}：{words[result.status]} —— {result.message}")
    if result.archived:
        print(f"已存档：{result.archived}")
    if result.months:
        print(f"已重新核查：{'、'.join(result.months)}")
    shown = {"passed": "通过", "failed": "未通过", "not_evaluated": "未核查", None: "无结果"}
    for c in result.checks:
        if c.changed:
            print(f"  {c.period} {c.check_id} {c.title}：{shown[c.before]} → {shown[c.after]}")
    if result.faults:
        print(
            "注意：以下核查因核查本身出错而未能执行：" + "、".join(result.faults), file=sys.stderr
        )
        return EXIT_CHECK_FAULT
    return EXIT_REJECTED if result.status == "rejected" else EXIT_OK


def _pack(warehouse: Path, month: str, out: Path) -> int:
    """The dispatch-meeting pack and the circulars for a month (pack/make.py), archived."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        print(f"错误：--month 应为 YYYY-MM，收到 {month}", file=sys.stderr)
        return EXIT_USAGE
    if not warehouse.exists():
        print(f"错误：数据仓库 {warehouse} 不存在", file=sys.stderr)
        return EXIT_USAGE
    from etl import audit
    from etl.progress import Progress
    from pack.figures import WarehouseReader
    from pack.make import NoData, make, record

    reader = WarehouseReader(warehouse)
    progress = Progress(0, "季调度材料")
    try:
        made = make(
            reader,
            warehouse,
            month,
            made_by=f"命令行（{audit.command_line_user()}）",
            progress=lambda label, share: progress.say(f"{share:4.0%} {label}"),
        )
    except NoData:
        print(f"错误：数据仓库中没有 {month} 的指标数据", file=sys.stderr)
        return EXIT_USAGE
    finally:
        progress.close()
        reader.close()
    written = made.write(out)
    record(warehouse, made, audit.command_line_user(), source="命令行")
    for path in written:
        print(f"已写出 {path}")
    print(f"已存档 {made.folder}")
    return EXIT_OK


def _users(args, warehouse: Path) -> int:
    """Local accounts (etl/accounts.py); a password is made here and shown once."""
    from etl import accounts, audit

    try:
        if args.action == "list":
            listed = accounts.read_accounts()
            if not listed:
                print(f"还没有账号（{accounts.accounts_path()}）")
            for a in listed.values():
                state = "已停用" if a.disabled else "正常"
                demo = "，演示账号" if a.demo else ""
                town = f" {a.town}" if a.town else ""
                print(f"{a.username}\t{a.display_name}\t{a.role_title}{town}\t{state}{demo}")
            return EXIT_OK
        if args.action == "demo":
            print(f"演示账号（仅用于演示数据；正式使用前请停用）：{accounts.accounts_path()}")
            for a in accounts.ensure_demo_accounts():
                state = "（已停用）" if a.disabled else ""
                print(
                    f"  {a.role_title}\t账号 {a.username}\t密码 {accounts.demo_password(a.username)}{state}"
                )
            return EXIT_OK
        fields = {}
        if args.action == "add":
            fields = {"role": args.role, "display_name": args.name, "town": args.town}
        by = audit.command_line_user()
        print(
            accounts.manage(
                args.action, args.username, warehouse=warehouse, by=by, source="命令行", **fields
            )
        )
    except accounts.AccountError as e:
        print(f"错误：{e}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _templates(directory: Path) -> int:
    """A blank template per declared source under `directory` (the warehouse is not read)."""
    if directory.exists() and not directory.is_dir():
        print(f"错误：{directory} 不是目录", file=sys.stderr)
        return EXIT_USAGE
    from etl.templates import write_templates

    written = write_templates(directory)
    print(f"完成：已写出 {len(written)} 个报送模板到 {directory}")
    return EXIT_OK


class _Usage(Exception):
    """A usage error found inside the writing block: nothing is published."""


def _failed_severities(con, period: str | None) -> set[str]:
    rows = con.execute(
        "SELECT DISTINCT severity FROM v_check_results WHERE status = 'failed' AND (? IS NULL OR period = ?)",
        [period, period],
    ).fetchall()
    return {r[0] for r in rows}


def _print_checks(con, validation) -> None:
    if validation.kept:
        print(
            f"  {len(validation.results)} 项（核查×月份）输入有变化，已重新核查；"
            f"{validation.kept} 项输入未变，沿用上次结果",
            flush=True,
        )
    pairs = [[r.check_id, r.period] for r in validation.results]
    if not pairs:
        return
    rows = con.execute(
        "SELECT r.period, r.check_id, c.title, r.status, r.failing_rows, r.note "
        "FROM v_check_results AS r JOIN check_catalog AS c USING (check_id) "
        "WHERE list_contains(?, r.check_id || '|' || r.period) "
        "ORDER BY r.period, r.check_id",
        [[f"{c}|{p}" for c, p in pairs]],
    ).fetchall()
    words = {"passed": "通过", "failed": "未通过", "not_evaluated": "未核查"}
    for period, check_id, title, status, failing, note in rows:
        extra = f"，{failing} 项" if status == "failed" else f"（{note}）" if note else ""
        print(f"  {period} {check_id} {title}：{words[status]}{extra}", flush=True)


def _print_faults(faults) -> None:
    """Name every check that could not be evaluated because of the check itself."""
    if not faults:
        return
    print(
        f"注意：{len({f.check_id for f in faults})} 项核查因核查本身出错而未能执行"
        "（已记为“未核查”，其余核查已正常完成并发布），请联系平台维护人员：",
        file=sys.stderr,
        flush=True,
    )
    for check_id in dict.fromkeys(f.check_id for f in faults):
        months = [f.period for f in faults if f.check_id == check_id]
        note = next(f.note for f in faults if f.check_id == check_id)
        print(f"  {check_id}（{'、'.join(months)}）：{note}", file=sys.stderr, flush=True)
