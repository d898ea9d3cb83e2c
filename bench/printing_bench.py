"""Printing's costs, run by hand: a receipt to ESC/POS bytes, one label to PNG, a label job.

    .venv/bin/python bench/printing_bench.py

Pure CPU (no printer, no database): the best of 5 rounds of timeit for each.
"""

from __future__ import annotations

import timeit

from printing.documents import Receipt, ReceiptLine, render_receipt
from printing.item_labels import Label, label_png, label_svg, render_labels

WORDS = {"sale_number": "销售单号", "time": "时间", "cashier": "收银员", "items": "件数", "total": "合计",
         "cash": "现金", "change": "找零", "fund_share": "本次购物为社区慈善基金贡献 {amount}"}
RECEIPT = Receipt(
    shop_name="爱心超市·幸福社区店", shop_address="幸福路 88 号 社区服务中心一楼", sale_number="S00012345",
    time="2026-11-22 10:30", cashier="收银志愿者 小张", total_fen=23450, cash_given_fen=30000, change_fen=6550,
    fund_fen=11820, labels=WORDS, footer="谢谢惠顾 · 爱心传递温暖", open_drawer=True,
    lines=tuple(ReceiptLine(f"捐赠物品 第{n}件（九成新）", 1 + n % 3, 500 + 150 * n, (1 + n % 3) * (500 + 150 * n))
                for n in range(10)),
)
LABEL = Label("儿童羽绒服（九成新）", 3500, "2000000000015", "261122", {"price": "售价", "date_code": "入库"},
              category="衣物")


def best_ms(work, number: int) -> float:
    return min(timeit.repeat(work, number=number, repeat=5)) / number * 1000


def main() -> None:
    rows = [
        ("receipt, 10 lines, 80 mm (48 columns) to bytes", best_ms(lambda: render_receipt(
            RECEIPT, width=48, encoding="gb18030"), 500), len(render_receipt(RECEIPT, width=48, encoding="gb18030"))),
        ("receipt, 10 lines, 58 mm (32 columns) to bytes", best_ms(lambda: render_receipt(
            RECEIPT, width=32, encoding="gb18030"), 500), len(render_receipt(RECEIPT, width=32, encoding="gb18030"))),
        ("one label to PNG (203 dpi)", best_ms(lambda: label_png(LABEL), 200), len(label_png(LABEL))),
        ("one label to SVG", best_ms(lambda: label_svg(LABEL), 200), len(label_svg(LABEL))),
        ("one label job, printer's own barcode", best_ms(lambda: render_labels(
            [LABEL], width=48, encoding="gb18030", barcode_mode="native"), 500),
         len(render_labels([LABEL], width=48, encoding="gb18030", barcode_mode="native"))),
        ("one label job, raster barcode", best_ms(lambda: render_labels(
            [LABEL], width=48, encoding="gb18030", barcode_mode="raster"), 100),
         len(render_labels([LABEL], width=48, encoding="gb18030", barcode_mode="raster"))),
    ]
    print(f"{'what':52} {'ms':>8} {'bytes':>8}")
    for what, ms, size in rows:
        print(f"{what:52} {ms:8.3f} {size:8}")


if __name__ == "__main__":
    main()
