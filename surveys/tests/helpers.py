"""Builders for survey tests: questionnaires as .xlsx files and answers as form data."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

HEADER = ["维度", "题号", "题目", "题型", "必答", "选项", "最小值", "最大值", "量表分数", "说明", "显示条件"]
DIMENSIONS = ["人员配备", "阵地服务", "资金使用", "制度机制", "作用发挥"]


def xlsx(rows, header=HEADER, name="问卷.xlsx"):
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def heilongjiang_rows():
    """56 questions over the five dimensions of seed 001: scored single choices, 5-point ratings,
    a multiple choice, numbers with a range, text, and one show-if pair per dimension."""
    rows = []
    n = 0
    for d, dimension in enumerate(DIMENSIONS):
        count = 12 if d == 0 else 11
        for i in range(count):
            n += 1
            code = f"Q{n}"
            pattern = i % 6
            if pattern == 0:
                rows.append(
                    [
                        dimension,
                        code,
                        f"{dimension}：是否达到标准（{i}）",
                        "单选题",
                        "是",
                        "是=100|否=0",
                        "",
                        "",
                        "",
                        "",
                        "",
                    ]
                )
            elif pattern == 1:
                rows.append(
                    [
                        dimension,
                        code,
                        f"{dimension}：整改说明（{i}）",
                        "简答题",
                        "是",
                        "",
                        "",
                        "",
                        "",
                        "",
                        f"Q{n - 1}=否",
                    ]
                )
            elif pattern == 2:
                rows.append(
                    [
                        dimension,
                        code,
                        f"{dimension}：工作评价（{i}）",
                        "评分题",
                        "是",
                        "",
                        "",
                        "",
                        5,
                        "1 分最低，5 分最高",
                        "",
                    ]
                )
            elif pattern == 3:
                rows.append(
                    [
                        dimension,
                        code,
                        f"{dimension}：落实程度（{i}）",
                        "单选题",
                        "是",
                        "全部落实=100|大部分落实=60|未落实=0",
                        "",
                        "",
                        "",
                        "",
                        "",
                    ]
                )
            elif pattern == 4:
                rows.append([dimension, code, f"{dimension}：人数或金额（{i}）", "数字", "否", "", 0, 1000, "", "", ""])
            else:
                rows.append(
                    [
                        dimension,
                        code,
                        f"{dimension}：主要做法（{i}）",
                        "多选题",
                        "否",
                        "宣传|培训|走访|其他",
                        "",
                        "",
                        "",
                        "",
                        "",
                    ]
                )
    return rows
