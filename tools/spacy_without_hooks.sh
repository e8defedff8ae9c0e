#!/usr/bin/env bash
# Replace a venv's spaCy by the same version built from its source without Cython's profiling hooks.
#
# spaCy's wheels for Python < 3.12 are compiled with Cython's `profile` directive, whose code takes the GIL on
# leaving every nogil function of the parser and NER; parsing spends about a third of its time there. The C macro
# CYTHON_PROFILE=0 compiles that code out and changes no arithmetic: the parses are identical, 1.4-2.2x faster in
# three interleaved rounds (claimcheck/spacy_pipeline.py has the figures). The wheel is built once per spaCy version
# (about 4 min on 2 cores; a C++ compiler and PyPI are needed) and kept in the user's cache. Where it cannot be
# built, the stock spaCy stays and a warning says so: claimcheck works the same, only slower.
#
# usage: tools/spacy_without_hooks.sh VENV_BIN    (the Makefile runs it after installing the project)
set -euo pipefail
bin=$1
hooks() {  # succeeds while the venv's spaCy still has its profiling hooks
    "$bin/python" -c 'import sys; from claimcheck.spacy_pipeline import has_profiling_hooks as h; sys.exit(not h())'
}

hooks || exit 0  # Python >= 3.12, or a spaCy already built without them
version=$("$bin/python" -c 'import importlib.metadata as m; print(m.version("spacy"))')
python=$("$bin/python" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
wheels="${XDG_CACHE_HOME:-$HOME/.cache}/claimcheck/spacy-$version-$python-$(uname -m)-without-hooks"
if ! compgen -G "$wheels/spacy-*.whl" >/dev/null; then
    echo "Building spaCy $version without Cython's profiling hooks (once, about 4 minutes on 2 cores)..."
    rm -rf "$wheels.part"
    # --no-cache-dir: pip's own wheel cache does not key on CPPFLAGS and could hand back a stock build
    if ! CPPFLAGS="-DCYTHON_PROFILE=0" SPACY_NUM_BUILD_JOBS="$(nproc)" "$bin/pip" wheel --quiet --no-deps \
            --no-binary spacy --no-cache-dir -w "$wheels.part" "spacy==$version"; then
        echo "warning: spaCy could not be built from source; the stock wheel stays (parsing about 1.7x slower)" >&2
        exit 0
    fi
    mkdir -p "$(dirname "$wheels")" && rm -rf "$wheels" && mv "$wheels.part" "$wheels"
fi
"$bin/pip" install --quiet --no-deps --force-reinstall "$wheels"/spacy-*.whl
if hooks; then
    echo "error: the spaCy built in $wheels still has its profiling hooks" >&2
    exit 1
fi
