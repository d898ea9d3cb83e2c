from dataclasses import replace

import pytest

from printing.layout import columns
from printing.till_report import preview_till_report, render_till_report
from tests.printing.escpos_decode import Barcode, Cut, Drawer, decode
from tests.printing.samples import TILL_WORDS, Z_REPORT

both_widths = pytest.mark.parametrize("width", [32, 48])
X_REPORT = replace(Z_REPORT, kind_title="X 报表（班中）", closed_at="2024-05-18 12:00", counted_cash_fen=None,
                   over_short_fen=None)
both_kinds = pytest.mark.parametrize("report", [X_REPORT, Z_REPORT], ids=["x", "z"])


def test_a_z_report_on_58_mm_paper_reads_back_exactly():
    # given / when
    printout = decode(render_till_report(Z_REPORT, width=32, encoding="gb18030"))

    # then
    assert printout.texts == [
        "    爱心超市    ",
        "         Z 报表（日结）         ",
        "--------------------------------",
        "收银台                       1号",
        "收银员                    王小红",
        "开班时间        2024-05-18 08:00",
        "结束时间        2024-05-18 17:30",
        "--------------------------------",
        "销售笔数                      42",
        "销售总额               ￥1234.50",
        "退款                     ￥12.00",
        "净销售额               ￥1222.50",
        "--------------------------------",
        "现金销售                ￥800.00",
        "积分支付（1500 分）      ￥15.00",
        "--------------------------------",
        "备用金                  ￥200.00",
        "应有现金               ￥1000.00",
        "实点现金                ￥998.00",
        "长短款                   -￥2.00",
        "--------------------------------",
        "慈善基金                ￥300.00",
        "手工者分成              ￥100.00",
        "运营成本                 ￥50.00",
    ]
    assert printout.events[-1] == Cut(partial=False)
    assert not any(isinstance(event, Barcode) for event in printout.events)
    net = printout.lines[11]
    assert net.bold and net.height == 2
    assert [line.bold for line in printout.lines[17:20]] == [True, True, True]


def test_an_x_report_has_no_counted_cash_nor_over_short():
    texts = decode(render_till_report(X_REPORT, width=32, encoding="gb18030")).texts

    assert texts[1].strip() == "X 报表（班中）"
    assert not any(text.startswith(("实点现金", "长短款")) for text in texts)
    assert "应有现金               ￥1000.00" in texts
    assert len(texts) == 22


def test_cash_over_is_signed_plus():
    report = replace(Z_REPORT, counted_cash_fen=100050, over_short_fen=50)

    texts = decode(render_till_report(report, width=32, encoding="gb18030")).texts

    assert "长短款                   +￥0.50" in texts


@both_kinds
@both_widths
def test_every_amount_ends_at_the_right_edge_and_the_preview_matches(report, width):
    # given
    printed = decode(render_till_report(report, width=width, encoding="gb18030")).lines

    # when
    preview = preview_till_report(report, width=width)

    # then
    assert len(preview) == len(printed)
    for shown, line in zip(preview, printed):
        assert columns(line.text) * line.width <= width
        assert shown == line.text if line.width == 1 else shown.strip() == line.text.strip()
    amount_lines = [line.text for line in printed if "￥" in line.text]
    assert len(amount_lines) == (12 if report.counted_cash_fen is not None else 10)
    assert all(columns(text) == width and text.split()[-1].lstrip("+-").startswith("￥") for text in amount_lines)


def test_the_report_checks_its_words_and_its_cash():
    with pytest.raises(ValueError, match="running_costs"):
        replace(Z_REPORT, labels={k: v for k, v in TILL_WORDS.items() if k != "running_costs"})
    with pytest.raises(ValueError, match="points"):
        replace(Z_REPORT, labels=TILL_WORDS | {"points": "积分支付"})
    with pytest.raises(ValueError, match="both"):
        replace(Z_REPORT, over_short_fen=None)
    with pytest.raises(ValueError, match="counted cash minus expected"):
        replace(Z_REPORT, over_short_fen=200)


def test_a_till_sessions_report_prints_its_number_its_returns_and_its_cash_refunds():
    # given the figures of a till session (pos/sessions.py): float + cash sales − cash refunds = expected
    words = TILL_WORDS | {"session": "班次", "returns_count": "退货笔数（作废 {voids}）", "cash_refunds": "现金退款"}
    report = replace(Z_REPORT, labels=words, session="TS00000012", returns_count=3, voids_count=1,
                     cash_refunds_fen=1200, expected_cash_fen=99800, counted_cash_fen=99800, over_short_fen=0)
    # when
    texts = decode(render_till_report(report, width=32, encoding="gb18030")).texts
    # then
    assert "班次                  TS00000012" in texts
    assert "退货笔数（作废 1）             3" in texts
    assert texts.index("现金退款                 ￥12.00") == texts.index("现金销售                ￥800.00") + 1
    assert "现金退款                 ￥12.00" in preview_till_report(report, width=32)
    # and a word missing for a figure given is refused
    with pytest.raises(ValueError, match="cash_refunds"):
        replace(Z_REPORT, cash_refunds_fen=100)


def test_refunds_show_by_tender_cash_and_points_with_their_worth():
    # given: a session's report with a cash refund and points given back
    words = {**TILL_WORDS, "cash_refunds": "现金退款", "points_refunded": "退还积分（{points} 分）"}
    report = replace(X_REPORT, labels=words, cash_refunds_fen=700, points_refunded_pts=5, points_refunded_fen=500)

    # when
    texts = decode(render_till_report(report, width=32, encoding="gb18030")).texts

    # then
    assert "现金退款                  ￥7.00" in texts
    assert "退还积分（5 分）          ￥5.00" in texts
    assert texts.index("现金退款                  ￥7.00") < texts.index("退还积分（5 分）          ￥5.00")


def test_the_points_refunded_line_needs_its_word():
    with pytest.raises(ValueError, match="points_refunded"):
        replace(X_REPORT, points_refunded_pts=5)


def test_only_a_counted_z_report_opens_the_drawer():
    z = decode(render_till_report(replace(Z_REPORT, open_drawer=True), width=32, encoding="gb18030")).events
    x = decode(render_till_report(X_REPORT, width=32, encoding="gb18030")).events

    assert z[-1] == Drawer(pin=2, on_ms=100, off_ms=100)
    assert not any(isinstance(event, Drawer) for event in x)
