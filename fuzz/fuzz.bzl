"""fuzz_target: a libFuzzer binary plus a regression test over its inputs."""

def fuzz_target(name, corpus, deps):
    """Defines :<name>_fuzzer (manual; build with --config=fuzz) and
    :<name>_regression_test (runs the target over the corpus and
    regressions/<name>/)."""
    regressions = native.glob(["regressions/%s/*" % name])
    native.cc_binary(
        name = name + "_fuzzer",
        srcs = [name + "_fuzzer.cc"],
        linkopts = ["-fsanitize=fuzzer"],
        tags = ["manual"],
        deps = deps,
    )
    native.cc_test(
        name = name + "_regression_test",
        srcs = [name + "_fuzzer.cc", "regression_main.cc"],
        args = ["$(locations %s)" % c for c in corpus] +
               ["$(locations %s)" % r for r in regressions],
        data = corpus + regressions,
        deps = deps,
    )
