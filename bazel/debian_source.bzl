"""A repository rule for a pinned Debian source package.

The SDK's C and C++ dependencies are compiled from Debian's source packages
(so that sanitizers see them and their symbols stay inside the program).
`debian_source_archive` fetches one into Bazel's external directory the way
`http_archive` fetches a tarball: no root, no apt, each file checked against
its sha256 and kept in Bazel's repository cache. It then applies the Debian
patches listed in `debian/patches/series`, exactly as `dpkg-source -x` does.

    debian_source_archive(
        name = "com_google_absl",
        package = "abseil",
        upstream_version = "20220623.1",
        debian_revision = "1+deb12u2",
        orig_sha256 = "abfe...",
        debian_sha256 = "e084...",
        strip_prefix = "abseil-20220623.1",
    )
"""

DEBIAN_MIRRORS = ["http://deb.debian.org/debian"]

def _pool_dir(package):
    prefix = package[:4] if package.startswith("lib") else package[0]
    return "pool/main/%s/%s" % (prefix, package)

def _quote(file_name):
    # A Debian version's '+' must be escaped in the archive's URLs.
    return file_name.replace("+", "%2b")

def _urls(ctx, file_name):
    return [
        "%s/%s/%s" % (mirror.rstrip("/"), _pool_dir(ctx.attr.package), _quote(file_name))
        for mirror in ctx.attr.mirrors
    ]

def _apply_debian_patches(ctx):
    series = ctx.path("debian/patches/series")
    if not series.exists:
        return
    for line in ctx.read(series).splitlines():
        fields = [f for f in line.split("#")[0].replace("\t", " ").split(" ") if f]
        if not fields:
            continue
        strip = 1
        if len(fields) > 1 and fields[1].startswith("-p"):
            strip = int(fields[1][2:])
        patch = "debian/patches/" + fields[0]
        result = ctx.execute(["patch", "-p%d" % strip, "--batch", "--forward", "-s", "-i", patch])
        if result.return_code != 0:
            fail("%s: Debian patch %s does not apply:\n%s%s" % (
                ctx.name,
                fields[0],
                result.stdout,
                result.stderr,
            ))

def _link_host_tool(ctx, target, program):
    path = ctx.which(program)
    if not path:
        fail("%s needs %s from the %s Debian package: run third_party/install_system_deps.sh" % (
            ctx.name,
            program,
            ctx.attr.package,
        ))
    result = ctx.execute([path, "--version"])
    if ctx.attr.upstream_version not in result.stdout + result.stderr:
        fail("%s: %s is %s, but the sources are %s; install Debian's matching package" % (
            ctx.name,
            path,
            (result.stdout + result.stderr).strip(),
            ctx.attr.upstream_version,
        ))
    ctx.symlink(path, target)

def _debian_source_archive_impl(ctx):
    upstream = ctx.attr.upstream_version
    version = upstream + "-" + ctx.attr.debian_revision
    orig = "%s_%s.orig.tar.%s" % (ctx.attr.package, upstream, ctx.attr.orig_compression)
    debian = "%s_%s.debian.tar.xz" % (ctx.attr.package, version)
    ctx.download_and_extract(
        url = _urls(ctx, orig),
        sha256 = ctx.attr.orig_sha256,
        type = "tar." + ctx.attr.orig_compression,
        stripPrefix = ctx.attr.strip_prefix,
    )
    ctx.download_and_extract(
        url = _urls(ctx, debian),
        sha256 = ctx.attr.debian_sha256,
        type = "tar.xz",
    )
    _apply_debian_patches(ctx)
    for command in ctx.attr.patch_cmds:
        result = ctx.execute(["bash", "-c", command])
        if result.return_code != 0:
            fail("%s: `%s` failed:\n%s%s" % (ctx.name, command, result.stdout, result.stderr))

    if ctx.attr.remove_nested_build_files:
        # Folders below the top must not be packages of their own, so that
        # build_file can glob them.
        result = ctx.execute([
            "find", ".", "-mindepth", "2", "(", "-name", "BUILD", "-o", "-name", "BUILD.bazel", ")",
            "-type", "f", "-delete",
        ])
        if result.return_code != 0:
            fail("%s: %s" % (ctx.name, result.stderr))
    if ctx.attr.build_file:
        ctx.delete("BUILD")
        ctx.delete("BUILD.bazel")
        ctx.symlink(ctx.attr.build_file, "BUILD.bazel")
    for source, target in ctx.attr.add_files.items():
        ctx.symlink(source, target)
    for target, program in ctx.attr.host_tools.items():
        _link_host_tool(ctx, target, program)
    if not ctx.path("WORKSPACE").exists and not ctx.path("WORKSPACE.bazel").exists:
        ctx.file("WORKSPACE", 'workspace(name = "%s")\n' % ctx.name)
    ctx.file("DEBIAN_VERSION", "%s %s\n" % (ctx.attr.package, version))

debian_source_archive = repository_rule(
    implementation = _debian_source_archive_impl,
    doc = "A Debian source package, fetched, checked and patched.",
    attrs = {
        "package": attr.string(mandatory = True, doc = "Source package name."),
        "upstream_version": attr.string(mandatory = True),
        "debian_revision": attr.string(mandatory = True),
        "orig_sha256": attr.string(mandatory = True),
        "orig_compression": attr.string(default = "gz", values = ["gz", "xz", "bz2"]),
        "debian_sha256": attr.string(mandatory = True),
        "strip_prefix": attr.string(doc = "Top directory of the upstream tarball."),
        "mirrors": attr.string_list(
            default = DEBIAN_MIRRORS,
            doc = "Debian archive mirrors (a local mirror or snapshot.debian.org works too).",
        ),
        "patch_cmds": attr.string_list(doc = "Shell commands run after Debian's patches."),
        "build_file": attr.label(allow_single_file = True, doc = "Replaces the package's top BUILD file."),
        "remove_nested_build_files": attr.bool(
            doc = "Delete the package's BUILD files below the top, so that build_file's globs see every folder.",
        ),
        "add_files": attr.label_keyed_string_dict(
            allow_files = True,
            doc = "Files to add: label -> path in the repository.",
        ),
        "host_tools": attr.string_dict(
            doc = "Programs of the same version installed on the host: path in the repository -> program " +
                  "name (for example Debian's protoc, so that it need not be compiled).",
        ),
    },
)
