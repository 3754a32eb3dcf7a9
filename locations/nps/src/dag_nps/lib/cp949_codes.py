"""The numeric codes shared by the CP949 splitter (`cp949`) and its compiled kernel (`cp949_kernel`).

They live apart from both so that the kernel, which numba compiles, and the Python side that
drives it import the same numbers without importing each other (no import cycle).
"""

# Field kinds of a layout, by position in the file.
TEXT, NAME, MONTH, DATE, INT32, INT64 = 0, 1, 2, 3, 4, 5
# Why a field did not convert (the kernel's error codes).
NOT_INTEGER, NOT_DATE, WRONG_MONTH, EMPTY_NAME, TOO_LONG = 1, 2, 3, 4, 5
