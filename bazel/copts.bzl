"""Compiler flags every C++ target of the SDK sets itself.

They do not depend on the workspace's .bazelrc: a workspace that sets no
flag, or another -std for its own code, still compiles the SDK as C++17
(Abseil and Protobuf's headers are the same in C++17 and later).
"""

SENTRY_CPP_COPTS = ["-std=c++17"]
