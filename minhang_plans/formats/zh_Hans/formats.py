"""zh-hans input formats with ISO first.

A date or datetime widget renders its value with the first input format. Django's zh_Hans
locale puts "%Y/%m/%d" first, which an <input type="date"> cannot show: the browser then
displays the box empty and submits it empty, so saving an untouched form erased the date.
ISO first fixes every such widget in every app; the Chinese forms are still accepted as input.
Only these two settings are overridden: display formats (DATE_FORMAT…) stay Django's.
"""

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2025-12-31': what <input type="date"> shows and submits
    "%Y/%m/%d",  # '2025/12/31'
    "%Y年%m月%d日",  # '2025年12月31日'
]

DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",  # '2025-12-31T20:45': what <input type="datetime-local"> shows and submits
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
]
