# -*- shell-script -*-
# nx-sage's own implementation of the sdh_* helpers that spkg-*.in scripts call.
#
# Written for nx-sage from the documented behaviour of Sage's helpers (Sage developer guide,
# "Helper functions"); it is used only when the tree being built is not a real Sage checkout
# (a real checkout's build/bin/sage-dist-helpers is sourced instead). Differences on purpose:
#   - wheels are built with `pip wheel --no-build-isolation --no-index` against the venv and the
#     stored wheels only: never the network;
#   - the deferred pip install (spkg-pipinst) and the pip uninstall (spkg-piprm) call pip directly;
#     nx-sage runs them inside its exclusive tree lock, so no per-command lock is taken here.
#
# The build wrapper exports SAGE_ROOT, SAGE_LOCAL, SAGE_VENV, SAGE_INST_LOCAL, SAGE_DESTDIR,
# SAGE_SPKG_WHEELS, SAGE_SPKG_SCRIPTS, SAGE_BUILD_DIR, PKG_NAME, PKG_BASE, PKG_VER and MAKE.

# --- messages -----------------------------------------------------------------------------------

_sdh_rule() {
    printf '%s\n' '******************************************************************************' >&2
}

# sdh_die MESSAGE | sdh_die <<EOF ... EOF
# Print the message between two rules and exit with the last command's status (1 if that was 0).
sdh_die() {
    local status=$?
    [ "$status" -eq 0 ] && status=1
    local message
    if [ $# -gt 0 ]; then
        message="$*"
    else
        message="$(cat)"
    fi
    _sdh_rule
    printf '%s\n' "$message" >&2
    _sdh_rule
    exit "$status"
}

# sdh_check_vars NAME...: every named variable must be set and non-empty.
sdh_check_vars() {
    local name
    for name in "$@"; do
        if [ -z "${!name:-}" ]; then
            sdh_die "${name} undefined ... exiting (the nx-sage build environment was not set up)"
        fi
    done
}

# sdh_guard: the variables without which a script could install into the wrong place.
sdh_guard() {
    sdh_check_vars SAGE_ROOT SAGE_LOCAL SAGE_INST_LOCAL SAGE_SHARE
}

# --- autotools / make / cmake -------------------------------------------------------------------

# sdh_configure [ARGS...]: ./configure into SAGE_INST_LOCAL, shared libraries only.
sdh_configure() {
    echo "Configuring $PKG_NAME"
    # Sage runs configure scripts with bash (non-portable scripts exist).
    export CONFIG_SHELL="${CONFIG_SHELL:-$(command -v bash)}"
    if ./configure --prefix="$SAGE_INST_LOCAL" --libdir="$SAGE_INST_LOCAL/lib" --disable-static \
            --disable-maintainer-mode --disable-dependency-tracking "$@"; then
        return 0
    fi
    # Not every configure is autoconf's: retry without the autoconf-only switches.
    if ./configure --prefix="$SAGE_INST_LOCAL" --libdir="$SAGE_INST_LOCAL/lib" --disable-static "$@"; then
        return 0
    fi
    if [ -f "$PWD/config.log" ]; then
        sdh_die "Error configuring $PKG_NAME
See the file
    $PWD/config.log
for details."
    fi
    sdh_die "Error configuring $PKG_NAME"
}

# sdh_make [ARGS...]: $MAKE with the default target.
sdh_make() {
    echo "Building $PKG_NAME"
    ${MAKE:-make} "$@" || sdh_die "Error building $PKG_NAME"
}

# sdh_make_check [ARGS...]: $MAKE check.
sdh_make_check() {
    echo "Checking $PKG_NAME"
    ${MAKE:-make} check "$@" || sdh_die "Failures checking $PKG_NAME"
}

# sdh_make_install [ARGS...]: $MAKE install, staged into SAGE_DESTDIR.
sdh_make_install() {
    echo "Installing $PKG_NAME"
    ${MAKE:-make} install DESTDIR="${SAGE_DESTDIR:-}" "$@" || sdh_die "Error installing $PKG_NAME"
}

# sdh_cmake [ARGS...]: cmake with the install prefix and libdir set (GNUInstallDirs).
sdh_cmake() {
    echo "Configuring $PKG_NAME with cmake"
    if cmake -DCMAKE_INSTALL_PREFIX="$SAGE_INST_LOCAL" -DCMAKE_INSTALL_LIBDIR=lib "$@"; then
        return 0
    fi
    if [ -f "$PWD/CMakeFiles/CMakeOutput.log" ]; then
        sdh_die "Error configuring $PKG_NAME with cmake
See the file
    $PWD/CMakeFiles/CMakeOutput.log
for details."
    fi
    sdh_die "Error configuring $PKG_NAME with cmake"
}

# sdh_install [-T] SRC... DEST: copy into ${SAGE_DESTDIR}DEST, creating directories.
# With -T, DEST is the target file name rather than a directory.
sdh_install() {
    local as_file=0
    if [ "${1:-}" = "-T" ]; then
        as_file=1
        shift
    fi
    [ $# -ge 2 ] || sdh_die "Error: sdh_install needs at least one source and a destination"
    local sources=("${@:1:$#-1}")
    local dest="${SAGE_DESTDIR:-}${!#}"
    local src
    for src in "${sources[@]}"; do
        [ -e "$src" ] || [ -L "$src" ] || sdh_die "Error: source file/directory $src does not exist"
    done
    if [ "$as_file" -eq 0 ] && [ -e "$dest" ] && [ ! -d "$dest" ]; then
        sdh_die "Error: destination $dest for sdh_install exists and is not a directory"
    fi
    local dest_dir="$dest"
    [ "$as_file" -eq 1 ] && dest_dir="$(dirname "$dest")"
    mkdir -p "$dest_dir" || sdh_die "Error: cannot create $dest_dir"
    for src in "${sources[@]}"; do
        echo "$src -> $dest"
        cp -R -p "$src" "$dest" || sdh_die "Error copying $src to $dest"
    done
}

# sdh_preload_lib EXECUTABLE SONAME: on Linux, add the library EXECUTABLE loads for SONAME to LD_PRELOAD.
sdh_preload_lib() {
    local executable="$1" soname="$2"
    [ "$(uname)" = "Linux" ] || return 0
    local libs
    libs="$(ldd "$(command -v "$executable")")" || sdh_die "Could not get shared library dependencies for $executable"
    local lib
    lib="$(printf '%s\n' "$libs" | sed -n "s/^[[:space:]]*${soname}[^ ]* => \([^ ]*\) .*/\1/p" | head -n 1)"
    if [ -n "$lib" ]; then
        export LD_PRELOAD="${LD_PRELOAD:+$LD_PRELOAD:}$lib"
    fi
}

# --- Python -------------------------------------------------------------------------------------

# The venv's python3 comes first on PATH (SAGE_VENV/bin); pip is run as a module of it.
_sdh_pip() {
    python3 -m pip --disable-pip-version-check --isolated "$@"
}

# sdh_build_wheel [--no-deps] [--build-isolation|--no-build-isolation] [-C SETTING]... DIR
# Builds exactly one wheel of DIR into ./dist, offline: no index, the stored wheels as the only
# find-links, no build isolation (the build backend comes from the venv, which nx-sage keeps
# stable during builds with its shared lock).
sdh_build_wheel() {
    mkdir -p dist
    rm -f dist/*.whl
    sdh_install_options=""
    local settings=()
    while [ $# -gt 0 ]; do
        case "$1" in
            --build-isolation|--no-build-isolation|--sdist-then-wheel) ;;
            --no-deps) sdh_install_options="$sdh_install_options --no-deps" ;;
            -C|--config-settings|--config-setting)
                shift
                settings+=("--config-settings=$1")
                ;;
            -C*) settings+=("--config-settings=${1#-C}") ;;
            --config-settings=*|--config-setting=*) settings+=("--config-settings=${1#*=}") ;;
            *) break ;;
        esac
        shift
    done
    mkdir -p "$SAGE_SPKG_WHEELS" 2>/dev/null || true
    _sdh_pip wheel --no-build-isolation --no-deps --no-index --find-links="$SAGE_SPKG_WHEELS" \
        --no-cache-dir --wheel-dir=dist "${settings[@]}" "$@" \
        || sdh_die "Error building a wheel for $PKG_NAME"
}

# sdh_build_and_store_wheel ARGS...: build, then stage the wheel (not installed).
sdh_build_and_store_wheel() {
    sdh_build_wheel "$@"
    sdh_store_wheel .
}

# sdh_pip_install [OPTIONS] DIR: build a wheel, stage it, and defer its installation.
sdh_pip_install() {
    echo "Installing $PKG_NAME"
    sdh_build_wheel "$@"
    sdh_store_and_pip_install_wheel $sdh_install_options .
}

# sdh_pip_editable_install ARGS...: editable install straight into the venv (not staged).
sdh_pip_editable_install() {
    echo "Installing $PKG_NAME (editable mode)"
    _sdh_pip install --verbose --no-deps --no-index --no-build-isolation --editable "$@" \
        || sdh_die "Error installing $PKG_NAME"
}

# sdh_store_wheel .: move the one wheel in ./dist to ${SAGE_DESTDIR}${SAGE_SPKG_WHEELS} and record
# "<dist> @ file://<stored wheel>" in the package's staged spkg-requirements.txt.
# Sets `wheel` to the staged wheel's path.
sdh_store_wheel() {
    [ "$*" = "." ] || sdh_die "Error: sdh_store_wheel requires . as only argument"
    local found=() candidate
    for candidate in dist/*.whl; do
        [ -f "$candidate" ] && found+=("$candidate")
    done
    [ ${#found[@]} -eq 1 ] || sdh_die "Error: expected exactly one wheel in $PWD/dist, found ${#found[@]}"
    local staged_dir="${SAGE_DESTDIR:-}${SAGE_SPKG_WHEELS}"
    mkdir -p "$staged_dir" && mv "${found[0]}" "$staged_dir/" || sdh_die "Error storing ${found[0]}"
    local base="${found[0]##*/}"
    local requirements_dir="${SAGE_DESTDIR:-}${SAGE_SPKG_SCRIPTS}/${PKG_BASE}"
    mkdir -p "$requirements_dir" || sdh_die "Error creating $requirements_dir"
    echo "${base%%-*} @ file://${SAGE_SPKG_WHEELS}/${base}" >> "$requirements_dir/spkg-requirements.txt"
    echo "Staged wheel file $base and ${SAGE_SPKG_SCRIPTS}/${PKG_BASE}/spkg-requirements.txt"
    wheel="${staged_dir}/${base}"
}

# Where the deferred scripts of this build are collected (the package's build directory).
_sdh_script_dir() {
    if [ -d "${SAGE_BUILD_DIR:-}/${PKG_NAME}" ]; then
        echo "$SAGE_BUILD_DIR/$PKG_NAME"
    else
        echo "$SAGE_SPKG_SCRIPTS/$PKG_BASE"
    fi
}

# sdh_store_and_pip_install_wheel [PIP-OPTIONS] .: stage the wheel; append its installation to
# spkg-pipinst (run by the install step) and its removal to spkg-piprm.
sdh_store_and_pip_install_wheel() {
    local pip_options="${SAGE_PIP_INSTALL_FLAGS:-}"
    while [ $# -gt 0 ]; do
        case "$1" in
            -*) pip_options="$pip_options $1" ;;
            *) break ;;
        esac
        shift
    done
    sdh_store_wheel "$@"
    local base="${wheel##*/}"
    local script_dir
    script_dir="$(_sdh_script_dir)"
    mkdir -p "$script_dir"
    echo "sdh_actually_pip_install_wheel ${base%%-*} $pip_options -r \"\$SAGE_SPKG_SCRIPTS/\$PKG_BASE/spkg-requirements.txt\"" >> "$script_dir/spkg-pipinst"
    echo "sdh_pip_uninstall -r \"\$SAGE_SPKG_SCRIPTS/\$PKG_BASE/spkg-requirements.txt\"" >> "$script_dir/spkg-piprm"
}

# sdh_actually_pip_install_wheel DIST PIP-ARGS...: replace DIST in the venv by the stored wheel.
# pip does not reinstall a wheel of the same version, so the old distribution goes first.
sdh_actually_pip_install_wheel() {
    local distname="$1"
    shift
    _sdh_pip uninstall --yes --no-input "$distname" 2>&1 | sed '/^WARNING: Skipping .* as it is not installed/d' || true
    _sdh_pip install --no-index --find-links="$SAGE_SPKG_WHEELS" --no-build-isolation --no-cache-dir "$@" \
        || sdh_die "Error installing $distname"
}

# sdh_pip_uninstall ARGS...: pip uninstall; failure is only a warning (as in Sage).
sdh_pip_uninstall() {
    if ! _sdh_pip uninstall --yes --no-input "$@"; then
        echo "Warning: pip uninstall $* failed" >&2
    fi
    return 0
}
