"""fuzz_target: a libFuzzer binary plus a regression test over its inputs."""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_test")
load("//bazel:copts.bzl", "SENTRY_CPP_COPTS")

def fuzz_target(name, corpus, deps):
    """Defines :<name>_fuzzer (manual; build with --config=fuzz) and
    :<name>_regression_test (runs the target over the corpus and
    regressions/<name>/)."""
    regressions = native.glob(["regressions/%s/*" % name])
    cc_binary(
        name = name + "_fuzzer",
        srcs = [name + "_fuzzer.cc"],
        copts = SENTRY_CPP_COPTS,
        linkopts = ["-fsanitize=fuzzer"],
        tags = ["manual"],
        deps = deps,
    )
    cc_test(
        name = name + "_regression_test",
        srcs = [name + "_fuzzer.cc", "regression_main.cc"],
        copts = SENTRY_CPP_COPTS,
        args = ["$(locations %s)" % c for c in corpus] +
               ["$(locations %s)" % r for r in regressions],
        data = corpus + regressions,
        deps = deps,
    )
