"""Generated sections of a Markdown results report (``write_report_section``)."""

from __future__ import annotations

import pytest

from benchmarking.campaign import check_report_section, write_report_section


def test_new_report_then_sections_appended_and_replaced(tmp_path):
    path = tmp_path / "results" / "report.md"
    write_report_section(path, "sf", ["table sf v1"], title="Report")
    write_report_section(path, "mf", ["table mf"], title="Report")
    with path.open("a") as f:
        f.write("Hand-written note on mf.\n")
    write_report_section(path, "sf", ["table sf v2", "verdict"], title="ignored: the report exists")
    text = path.read_text()
    assert text.startswith("# Report\n")
    assert "table sf v1" not in text and text.count("table sf v2\nverdict\n") == 1
    # order kept: sf, then mf and the note written after it
    assert text.index("table sf v2") < text.index("table mf") < text.index("Hand-written note on mf.")
    assert text.count("<!-- begin generated section: sf -->") == 1 and text.count("<!-- end generated section: mf -->") == 1


def test_broken_markers_and_bad_keys_raise(tmp_path):
    path = tmp_path / "report.md"
    path.write_text("# R\n<!-- end generated section: sf -->\n<!-- begin generated section: sf -->\n")
    with pytest.raises(ValueError, match="out of order"):
        write_report_section(path, "sf", ["x"], title="R")
    for key in ("", "a-->b", "two\nlines"):
        with pytest.raises(ValueError, match="'key' parameter"):
            write_report_section(path, key, ["x"], title="R")


def test_check_report_section_raises_what_the_write_would(tmp_path):
    path = tmp_path / "report.md"
    check_report_section(path, "sf")  # no report yet: fine
    write_report_section(path, "sf", ["x"], title="R")
    check_report_section(path, "sf")
    path.write_text(path.read_text().replace("<!-- end generated section: sf -->", ""))
    with pytest.raises(ValueError, match="incomplete or out of order"):
        check_report_section(path, "sf")
    with pytest.raises(ValueError, match="'key' parameter"):
        check_report_section(path, "a-->b")
