"""Printable documents of a draw: the 抽取证书 (internal and public variants) and the dispatch workbook."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone
from html import escape

import xlsxwriter

from dashboard.domain.codes import GRADES, UNGRADED
from dashboard.draw.ledger import names_for
from dashboard.draw.service import load_record
from dashboard.store import Store, lookups

POOL_ROWS_IN_HTML = 20_000

_CSS = """
@page { size: A4; margin: 15mm 12mm; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimSun", sans-serif;
       font-size: 10.5pt; color: #000; margin: 0 auto; max-width: 186mm; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 4mm; letter-spacing: 0.3em; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm; border-bottom: 1px solid #000; }
table { border-collapse: collapse; width: 100%; margin-bottom: 3mm; }
th, td { border: 1px solid #444; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eee; }
td.hash, span.hash { font-family: "DejaVu Sans Mono", "Consolas", monospace; font-size: 8pt;
       word-break: break-all; }
table.kv th { width: 28%; }
p.note { font-size: 9pt; color: #333; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
.sign { margin-top: 10mm; display: flex; justify-content: space-between; }
@media print { body { max-width: none; } }
"""


def _e(value) -> str:
    return escape("" if value is None else str(value))


BEIJING = timezone(timedelta(hours=8), "北京时间")  # China keeps UTC+8 all year


def beijing_time_words(stamp: str | None) -> str:
    """'2026-11-27T06:05:00+00:00' → '2026年11月27日 14时05分（北京时间）'. A time without offset is taken
    as Beijing time; text that is not a time is returned as it is."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    if moment.tzinfo is not None:
        moment = moment.astimezone(BEIJING)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment.hour:02d}时{moment.minute:02d}分（北京时间）"


def date_words(value) -> str:
    """'2026-11-27' → '2026年11月27日' (other text as it is)."""
    try:
        d = date.fromisoformat(str(value))
    except ValueError:
        return "" if value is None else str(value)
    return f"{d.year}年{d.month}月{d.day}日"


def _witnesses(names: dict | None) -> str:
    return "、".join((names or {}).get("witnesses") or [])


def _name(names: dict | None, kind: str, code: str) -> str:
    if not names:
        return ""
    return names.get(kind, {}).get(code, "")


def _doc(title: str, body: list[str]) -> str:
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        + "".join(body)
        + "</body></html>"
    )


def _header(cert: dict, names: dict | None, public: bool) -> list[str]:
    task_name = _name(names, "task", cert.get("task_code"))
    units = "、".join(
        f"{_name(names, 'units', u) or u}（{u}）" if _name(names, "units", u) else u
        for u in cert["units"]
    )
    rows = [
        ("抽取编号", cert["draw_id"]),
        ("抽查任务", f"{cert['task_code']} {task_name}".strip()),
        ("抽取日期", date_words(cert["draw_date"])),
        ("操作人", cert["operator"]),
        ("见证人", _witnesses(names) or "（未填写）"),
        ("检查单位", units or "（回访抽取，不匹配执法人员）"),
        ("公开随机值", cert["public_value"]),
        (
            "重新抽取",
            f"取代 {cert['supersedes']}；原因：{cert['reason']}"
            if cert.get("supersedes")
            else "否",
        ),
        ("记录时间", beijing_time_words(cert["created_at"])),
    ]
    out = ['<table class="kv">']
    out += [f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows]
    pool_size = sum(s["pool_size"] for s in cert["strata"])
    hashes = [
        ("名录对象数", str(pool_size)),
        ("名录哈希 pool_hash", cert["pool_hash"]),
        ("种子 seed", cert["seed"]),
        ("前一记录哈希", cert["previous_hash"]),
        ("记录时间 created_at（协议记录原文）", cert["created_at"]),
    ]
    if not public:
        hashes.append(("本记录哈希 record_hash", cert.get("record_hash", "")))
    if names and names.get("chain_head"):
        hashes.append(("台账链头（出具时，记录数:哈希）", names["chain_head"]))
    out += [f'<tr><th>{_e(k)}</th><td class="hash">{_e(v)}</td></tr>' for k, v in hashes]
    out.append("</table>")
    return out


_METHOD = (
    '<p class="note">验证方法（协议 v1）：名录哈希 = 按主体编码排序的每行“主体编码|分层”加换行后整体的 SHA-256；'
    "种子 = SHA-256(“v1|任务编码|名录哈希|公开随机值”)；每个对象的排序值 = SHA-256(“种子/主体编码”)，"
    "各层取排序值最小的 n 个，n = ⌈名录数 × 比例⌉；执法人员排序值 = SHA-256(“种子/主体编码/人员编码”)，"
    "先每个检查单位取一名排序值最小者，再按排序值补足人数。"
    "任何人可用 tools/verify_certificate.py 对 JSON 证书独立复核。</p>"
)


def certificate_html(cert: dict, names: dict | None = None) -> str:
    """The printable internal 抽取证书: everything in the certificate, risk strata included."""
    body = ["<h1>双随机抽取证书</h1>"]
    body += _header(cert, names, public=False)
    body.append(
        "<h2>分层与抽取数量</h2><table><thead><tr><th>分层</th><th>说明</th><th>名录数 N</th>"
        "<th>比例 r</th><th>抽取数 n</th></tr></thead><tbody>"
    )
    for s in cert["strata"]:
        label = GRADES.get(
            s["stratum"],
            "未评级" if s["stratum"] == UNGRADED else _name(names, "units", s["stratum"]),
        )
        body.append(
            f"<tr><td>{_e(s['stratum'])}</td><td>{_e(label)}</td><td>{s['pool_size']}</td>"
            f"<td>{_e(s['ratio'])}</td><td>{s['size']}</td></tr>"
        )
    body.append("</tbody></table>")
    teams = {a["entity_code"]: a for a in cert["assignments"]}
    short = set(cert["unstaffed"])
    body.append(
        "<h2>抽中对象与检查组</h2><table><thead><tr><th>序号</th><th>主体编码</th><th>名称</th><th>分层</th>"
        "<th>排序值</th><th>检查人员</th><th>回避</th></tr></thead><tbody>"
    )
    for i, s in enumerate(cert["selections"], start=1):
        code = s["entity_code"]
        a = teams.get(code, {"inspector_codes": [], "recused": []})
        team = "、".join(
            f"{_name(names, 'inspectors', c)}（{c}）" if names else c for c in a["inspector_codes"]
        )
        if code in short:
            team += "（人员不足）"
        body.append(
            f"<tr><td>{i}</td><td>{_e(code)}</td><td>{_e(_name(names, 'entities', code.split('/', 1)[-1]))}</td>"
            f'<td>{_e(s["stratum"])}</td><td class="hash">{_e(s["key"])}</td><td>{_e(team)}</td>'
            f"<td>{_e('、'.join(a['recused']))}</td></tr>"
        )
    body.append("</tbody></table>")
    if cert["unstaffed"]:
        body.append(
            f"<p>人员不足的对象（{len(cert['unstaffed'])} 个）：{_e('、'.join(cert['unstaffed']))}</p>"
        )
    body.append(
        f"<h2>执法人员库（抽取日符合条件，回避前，共 {len(cert['inspector_pool'])} 人）</h2>"
        "<table><thead><tr><th>人员编码</th><th>姓名</th><th>单位</th></tr></thead><tbody>"
    )
    for p in cert["inspector_pool"]:
        body.append(
            f"<tr><td>{_e(p['inspector_code'])}</td><td>{_e(_name(names, 'inspectors', p['inspector_code']))}</td>"
            f"<td>{_e(p['unit_code'])}</td></tr>"
        )
    body.append("</tbody></table>")
    pool = cert.get("pool", [])
    body.append(f"<h2>冻结名录（共 {len(pool)} 个对象）</h2>")
    if len(pool) <= POOL_ROWS_IN_HTML:
        body.append("<table><thead><tr><th>主体编码</th><th>分层</th></tr></thead><tbody>")
        body += [
            f"<tr><td>{_e(p['entity_code'])}</td><td>{_e(p['stratum'])}</td></tr>" for p in pool
        ]
        body.append("</tbody></table>")
    else:
        body.append(
            f'<p class="note">名录超过 {POOL_ROWS_IN_HTML} 个对象，完整名录见同名 JSON 证书。</p>'
        )
    body.append(_METHOD)
    body.append(
        '<div class="sign">'
        f"<span>操作人（签字）：{_e(cert['operator'])}</span>"
        f"<span>见证人（签字）：{_e(_witnesses(names))}</span>"
        "<span>日期：</span></div>"
    )
    return _doc(f"抽取证书 {cert['draw_id']}", body)


def public_certificate_html(cert: dict, names: dict | None = None) -> str:
    """The public variant for the 公示名单: no strata, grades, keys or pool (grades are internal)."""
    body = ["<h1>双随机抽取结果公示</h1>"]
    body += _header(cert, names, public=True)
    body.append(
        f"<h2>抽中对象（共 {len(cert['selections'])} 个）</h2><table><thead><tr><th>序号</th>"
        "<th>主体编码</th><th>名称</th></tr></thead><tbody>"
    )
    for i, code in enumerate(sorted(s["entity_code"] for s in cert["selections"]), start=1):
        body.append(
            f"<tr><td>{i}</td><td>{_e(code)}</td><td>{_e(_name(names, 'entities', code.split('/', 1)[-1]))}</td></tr>"
        )
    body.append("</tbody></table>")
    return _doc(f"抽取结果公示 {cert['draw_id']}", body)


def _put(ws, row: int, col: int, text, *fmt) -> None:
    """A text cell, quote-prefixed when a spreadsheet could take it for a formula (reports.safe)."""
    from dashboard.reports.safe import neutralise_value

    ws.write_string(row, col, neutralise_value(str(text)), *fmt)


def shows_cert_no(role: str | None) -> bool:
    """Whether a role sees inspectors' 执法证号: the rule of the analysis views (RESTRICTED_COLUMNS),
    applied to the dispatch sheet too (issue 13)."""
    from dashboard.analysis.views import RESTRICTED_COLUMNS

    return "cert_no" not in RESTRICTED_COLUMNS.get(role or "", {}).get("v_inspectors", set())


def dispatch_sheet(store: Store, draw_id: str, *, role: str | None = "admin") -> bytes:
    """XLSX: a summary sheet, then 一企一表 (one sheet per target) with its team and checklists.

    Every cell is written as a string (never a formula), and text that a spreadsheet could take for
    a formula (= + - @ …) gets a leading quote, as every download does. `role`: the reader's role;
    unit and read-only users get no 执法证号 column (shows_cert_no).
    """
    with_cert = shows_cert_no(role)
    record, _row = load_record(store, draw_id)
    names = names_for(store, record)
    task = store.rows(
        "SELECT task_name, item_codes, lead_unit, partner_units, start_on, end_on FROM tasks WHERE task_code = ?",
        [record["task_code"]],
    )
    task_name, items, _lead, _partners, start_on, end_on = (
        task[0] if task else ("", [], "", [], None, None)
    )
    items = [str(i).strip() for i in (items or [])]
    item_names = lookups.item_names(store)
    forms = store.rows(
        "SELECT item_code, form_name FROM checklists WHERE list_contains(?, item_code)", [items]
    )
    inspectors = {
        r[0]: r[1:]
        for r in store.rows("SELECT inspector_code, name, unit_code, cert_no FROM inspectors")
    }
    entities = {
        r[0]: r[1:]
        for r in store.rows(
            "SELECT entity_code, name, town, address FROM entities WHERE list_contains(?, entity_code)",
            [[s["entity_code"].split("/", 1)[-1] for s in record["selections"]]],
        )
    }
    teams = {a["entity_code"]: a["inspector_codes"] for a in record["assignments"]}
    short = set(record["unstaffed"])
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = wb.add_format({"bold": True})
    title = wb.add_format({"bold": True, "font_size": 14})
    summary = wb.add_worksheet("汇总")
    _put(summary, 0, 0, f"派单汇总 {draw_id}  {record['task_code']} {task_name}", title)
    head = ["序号", "主体编码", "名称", "乡镇", "检查人员", "人员不足"]
    for c, h in enumerate(head):
        _put(summary, 2, c, h, bold)
    item_text = "；".join(item_names.get(i, i) for i in items)
    for i, s in enumerate(record["selections"], start=1):
        code = s["entity_code"]
        ent = entities.get(code.split("/", 1)[-1], ("", "", ""))
        team = "、".join(inspectors.get(c, (c,))[0] for c in teams.get(code, []))
        values = [str(i), code, ent[0] or "", ent[1] or "", team, "是" if code in short else ""]
        for c, v in enumerate(values):
            _put(summary, 2 + i, c, v)
        ws = wb.add_worksheet(f"{i:04d}")
        ws.set_column(0, 0, 16)
        ws.set_column(1, 3, 24)
        _put(ws, 0, 0, "双随机抽查检查单（一企一表）", title)
        info = [
            ("抽取编号", draw_id),
            ("抽查任务", f"{record['task_code']} {task_name}"),
            ("抽查事项", item_text),
            ("检查期限", f"{start_on or ''} 至 {end_on or ''}"),
            ("检查对象", ent[0] or ""),
            ("主体编码", code),
            ("乡镇", ent[1] or ""),
            ("地址", ent[2] or ""),
        ]
        r = 2
        for k, v in info:
            _put(ws, r, 0, k, bold)
            _put(ws, r, 1, str(v))
            r += 1
        r += 1
        _put(ws, r, 0, "检查组", bold)
        heads = ["人员编码", "姓名", "单位"] + (["执法证号"] if with_cert else [])
        for c, h in enumerate(heads):
            _put(ws, r, c + 1, h, bold)
        for ic in teams.get(code, []):
            r += 1
            name, unit, cert_no = inspectors.get(ic, ("", "", ""))
            cells = [ic, name or "", names["units"].get(unit, unit or "")]
            for c, v in enumerate(cells + ([cert_no or ""] if with_cert else [])):
                _put(ws, r, c + 1, v)
        if code in short:
            r += 1
            _put(ws, r, 1, "符合条件的执法人员不足，请补充后检查")
        r += 2
        _put(ws, r, 0, "检查表单", bold)
        for item_code, form in forms:
            r += 1
            _put(ws, r, 1, f"{item_names.get(item_code, item_code)}：{form}")
        r += 2
        for label in ("检查方式", "检查结果", "检查结束日期", "检查人员签字", "被检查对象签字"):
            _put(ws, r, 0, label, bold)
            r += 2
    wb.close()
    return buf.getvalue()
