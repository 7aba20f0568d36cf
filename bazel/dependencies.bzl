"""Everything the SDK needs, for any workspace that depends on it.

In your WORKSPACE, after declaring sentry-cpp itself (under any name):

    local_repository(name = "sentry", path = "third_party/sentry-cpp")
    # or http_archive(name = "sentry", urls = [...], sha256 = ..., strip_prefix = ...)

    load("@sentry//bazel:dependencies.bzl", "sentry_cpp_dependencies")
    sentry_cpp_dependencies()

Repositories the SDK shares with your code (Abseil, Protobuf, Bazel's rule
sets) are declared only if your WORKSPACE has not declared them before this
call: declare yours first to use them. Repositories that are the SDK's own
business carry the prefix `sentry_cpp_` and never clash with yours:
`@sentry_cpp_boringssl` (compiled with hidden visibility and every symbol
renamed, so your own OpenSSL or BoringSSL keeps working) and
`@sentry_cpp_system` (the Debian libraries linked from /usr, each checked
to be installed: bazel/system_libraries.bzl).

Source packages are fetched from Debian's archive into Bazel's external
directory, with their checksums, without root. The Debian packages that must
be installed (compiler, libcurl, protoc, ...) come from one command, run once
as root: `bazel run @sentry//third_party:install_system_deps -- core`
(with the name you gave this repository; the groups are listed at the top
of third_party/install_system_deps.sh).
"""

load("@bazel_tools//tools/build_defs/repo:utils.bzl", "maybe")
load(":debian_source.bzl", "debian_source_archive")
load(":system_libraries.bzl", "system_libraries")

def _directory_repository_impl(ctx):
    # A folder of this repository as a repository of its own, found through
    # a label so that it works under whatever name this repository has.
    directory = ctx.path(ctx.attr.marker).dirname
    for child in directory.readdir():
        ctx.symlink(child, child.basename)

_directory_repository = repository_rule(
    implementation = _directory_repository_impl,
    attrs = {"marker": attr.label(allow_single_file = True, mandatory = True)},
)

def sentry_cpp_dependencies(debian_mirrors = None):
    """Declares the repositories sentry-cpp needs that are not declared yet.

    Args:
      debian_mirrors: Debian archive URLs to fetch source packages from
        (default: deb.debian.org).
    """
    mirrors = {"mirrors": debian_mirrors} if debian_mirrors else {}

    # Bazel's rule sets, from Debian's bazel-* packages (Bazel 4.2.3).
    maybe(native.local_repository, name = "platforms", path = "/usr/share/bazel/tools/platforms")
    maybe(native.local_repository, name = "bazel_skylib", path = "/usr/share/bazel/tools/skylib")
    maybe(native.local_repository, name = "rules_java", path = "/usr/share/bazel/rules/java")
    maybe(native.local_repository, name = "rules_proto", path = "/usr/share/bazel/rules/proto")

    # Debian's bazel-rules-cc is too new for Bazel 4; this shim forwards
    # @rules_cc//cc:defs.bzl to the native rules.
    maybe(
        _directory_repository,
        name = "rules_cc",
        marker = Label("//third_party/rules_cc:WORKSPACE"),
    )

    # Every test rule depends on @remote_coverage_tools, which Bazel would
    # otherwise download.
    maybe(
        _directory_repository,
        name = "remote_coverage_tools",
        marker = Label("//third_party/coverage_stub:WORKSPACE"),
    )

    maybe(
        debian_source_archive,
        name = "com_google_absl",
        package = "abseil",
        upstream_version = "20220623.1",
        debian_revision = "1+deb12u2",
        orig_sha256 = "abfe2897f3a30edaa74bc34365afe3c2a3cd012091a97dc7e008f7016adcd5fe",
        debian_sha256 = "e08490fc7b6f3beca1925953b0c4fb92df2de5e2a01295e4641e2a3d4e528eeb",
        strip_prefix = "abseil-20220623.1",
        # C++17 whatever the workspace's flags (Bazel 4's default toolchain
        # compiles C++ as C++0x, which Abseil rejects).
        patch_cmds = [
            "sed -i -e 's/^ABSL_\\(GCC\\|LLVM\\)_FLAGS = \\[/&\\n    \"-std=c++17\",/' absl/copts/GENERATED_copts.bzl",
        ],
        **mirrors
    )

    maybe(
        debian_source_archive,
        name = "com_google_protobuf",
        package = "protobuf",
        upstream_version = "3.21.12",
        debian_revision = "3+deb12u1",
        orig_sha256 = "930c2c3b5ecc6c9c12615cf5ad93f1cd6e12d0aba862b572e076259970ac3a53",
        debian_sha256 = "49cdad49801545cb797355af19fbd6b3627084c6549f629512faaa4e25dd5647",
        strip_prefix = "protobuf-3.21.12",
        build_file = Label("//third_party:protobuf.BUILD"),
        remove_nested_build_files = True,
        host_tools = {"bin/protoc": "protoc"},
        **mirrors
    )

    maybe(
        debian_source_archive,
        name = "sentry_cpp_boringssl",
        package = "android-platform-external-boringssl",
        upstream_version = "13.0.0+r24",
        debian_revision = "2",
        orig_sha256 = "583b7aeee1fca68b8244d086cea6fca23bd19d517bd63f0b9de714e048f92a7d",
        orig_compression = "xz",
        debian_sha256 = "f82d14420e2f4153c5e8be888e95a311c6a592806b3a2c64d920a35400dfd038",
        strip_prefix = "android-platform-external-boringssl-13.0.0+r24",
        build_file = Label("//third_party:boringssl.BUILD"),
        add_files = {Label("//third_party:prefix_boringssl.sh"): "prefix_boringssl.sh"},
        **mirrors
    )

    maybe(system_libraries, name = "sentry_cpp_system")
