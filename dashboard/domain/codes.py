"""The dictionaries of DOMAIN.md §3–§4 in one place: result codes, follow-up measures, grades."""

from __future__ import annotations

from dataclasses import dataclass

NO_FINDING, FINDING, STATUS = "no_finding", "finding", "status"

CLASS_LABELS = {NO_FINDING: "未发现问题", FINDING: "发现问题", STATUS: "状态类"}


@dataclass(frozen=True)
class ResultCode:
    code: str
    label: str
    cls: str
    parent: str | None = None
    sets_status: str | None = None  # entity status this code implies

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else 1 + RESULT_CODES[self.parent].depth


_RESULT_CODE_LIST = [
    ResultCode("1", "未发现问题", NO_FINDING),
    ResultCode("E", "发现问题经责令已改正", FINDING),
    ResultCode("A", "发现问题待后续处理", FINDING),
    ResultCode("2", "违反本部门相关规定", FINDING, parent="A"),
    ResultCode("B", "未按规定公示应当公示的信息", FINDING, parent="2"),
    ResultCode("C", "公示信息隐瞒真实情况弄虚作假", FINDING, parent="2"),
    ResultCode("6", "通过登记的住所（经营场所）无法联系", FINDING, parent="2"),
    ResultCode("D", "违反本部门其他规定", FINDING, parent="2"),
    ResultCode("3", "违反其他部门相关规定（食品药品）", FINDING, parent="A"),
    ResultCode("4", "违反其他部门相关规定（质量）", FINDING, parent="A"),
    ResultCode("G", "违反其他部门相关规定（公安）", FINDING, parent="A"),
    ResultCode("5", "违反其他部门相关规定（其他）", FINDING, parent="A"),
    ResultCode("8", "不配合检查情节严重", FINDING),
    ResultCode("F", "未发现开展本次抽查涉及的经营活动", STATUS),
    ResultCode("7", "已关闭停业或正在组织清算", STATUS, sets_status="停业清算"),
    ResultCode("9", "已注销", STATUS, sets_status="注销"),
    ResultCode("10", "已吊销", STATUS, sets_status="吊销"),
    ResultCode("11", "已撤销", STATUS, sets_status="撤销"),
    ResultCode("12", "已迁出", STATUS, sets_status="迁出"),
]

RESULT_CODES: dict[str, ResultCode] = {c.code: c for c in _RESULT_CODE_LIST}
FINDING_CODES = frozenset(c.code for c in _RESULT_CODE_LIST if c.cls == FINDING)
STATUS_CODES = frozenset(c.code for c in _RESULT_CODE_LIST if c.cls == STATUS)


def _ancestors(code: str) -> list[str]:
    out = []
    parent = RESULT_CODES[code].parent
    while parent is not None:
        out.append(parent)
        parent = RESULT_CODES[parent].parent
    return out


# Codes under A (A itself included) need a follow-up record (DOMAIN.md §3).
FOLLOWUP_CODES = frozenset(c for c in RESULT_CODES if c == "A" or "A" in _ancestors(c))


def code_class(code: str) -> str:
    return RESULT_CODES[code].cls


def has_finding(codes: list[str] | tuple[str, ...]) -> bool:
    return any(c in FINDING_CODES for c in codes)


FOLLOWUP_MEASURES: dict[str, str] = {
    "1": "无须后续处置",
    "2": "停止检查，反馈日常监管部门",
    "3": "责令限期整改",
    "4": "发现案件线索，移送办案机构",
    "5": "违反其他部门规定，抄告相关部门",
    "6": "涉嫌犯罪，移送司法机关",
    "9": "其他",
}

# Hebei market-supervision credit-risk grades (冀市监规〔2022〕2号). Only this system drives strata.
RISK_SYSTEM = "市场监管"
GRADES: dict[str, str] = {"A": "低风险", "B": "一般风险", "C": "较高风险", "D": "高风险"}
GRADE_ORDER = {"A": 1, "B": 2, "C": 3, "D": 4}
UNGRADED = "U"

ENTITY_STATUSES = ("存续", "注销", "吊销", "撤销", "迁出", "停业清算")
UNIT_KINDS = ("股室", "专班", "事业单位", "外部门")
ITEM_CATEGORIES = ("一般", "重点")
PLAN_STATUSES = ("草案", "已发布", "已调整", "已作废")
JOINT_KINDS = {"none": "非联合", "internal": "部门内部联合", "cross": "跨部门联合"}
TASK_SOURCES = {"plan": "计划任务", "adhoc": "临时任务", "dispatched": "上级下派"}
TASK_STATUSES = {
    "planned": "待抽取",
    "drawn": "已抽取",
    "in_progress": "检查中",
    "done": "已完成",
    "voided": "已作废",
}
REVISIT_RESULTS = ("整改到位", "未到位", "无法核实")
# The work registers (DESIGN.md §8)
TRAINING_KINDS = ("业务培训", "系统使用培训", "工作规范培训", "其他")
PUBLICITY_CHANNELS = ("新闻媒体", "官方网站", "新媒体", "现场宣讲", "其他")
# Follow-up measures that hand the case over, so they need the receiving body and the date
TRANSFER_MEASURES = ("4", "6")
