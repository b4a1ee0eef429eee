"""A minimal PEP 517 build backend for the pure-Python `grokscope` package, standard library only.

It exists so that the client installs with `pip install --no-index ./clients/python`: a backend from an index
(setuptools, hatchling) would have to be downloaded into pip's isolated build environment first. It builds a wheel of
the `grokscope` package (and an sdist), reading the name and version from pyproject.toml.
"""
import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_PACKAGE = "grokscope"


def _project():
    text = open(os.path.join(_ROOT, "pyproject.toml"), encoding="utf-8").read()
    project = text.split("[project]", 1)[1]
    name = re.search(r'^name\s*=\s*"([^"]+)"', project, re.M).group(1)
    version = re.search(r'^version\s*=\s*"([^"]+)"', project, re.M).group(1)
    summary = re.search(r'^description\s*=\s*"([^"]+)"', project, re.M).group(1)
    python = re.search(r'^requires-python\s*=\s*"([^"]+)"', project, re.M).group(1)
    return name, version, summary, python


def _metadata():
    name, version, summary, python = _project()
    return (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {summary}\n"
            f"Requires-Python: {python}\nProvides-Extra: pandas\nRequires-Dist: pandas; extra == \"pandas\"\n"
            f"Provides-Extra: numpy\nRequires-Dist: numpy; extra == \"numpy\"\n")


def _dist_info():
    name, version, _, _ = _project()
    return f"{name}-{version}.dist-info"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    path = os.path.join(metadata_directory, _dist_info())
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_metadata())
    return _dist_info()


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


def _write_wheel(wheel_directory, files):
    name, version, _, _ = _project()
    filename = f"{name}-{version}-py3-none-any.whl"
    info = _dist_info()
    files = dict(files)
    files[f"{info}/METADATA"] = _metadata().encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: grokscope_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    records = [_record_line(arcname, data) for arcname, data in files.items()]
    records.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = ("\n".join(records) + "\n").encode()
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as wheel:
        for arcname, data in files.items():
            wheel.writestr(arcname, data)
    return filename


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = {}
    source = os.path.join(_ROOT, _PACKAGE)
    for directory, _, names in os.walk(source):
        for file in sorted(names):
            if file.endswith(".py") or file == "py.typed":
                path = os.path.join(directory, file)
                arcname = os.path.relpath(path, _ROOT).replace(os.sep, "/")
                files[arcname] = open(path, "rb").read()
    return _write_wheel(wheel_directory, files)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # A .pth file puts the source tree on sys.path: edits take effect without reinstalling.
    name, _, _, _ = _project()
    return _write_wheel(wheel_directory, {f"_{name}_editable.pth": (_ROOT + "\n").encode()})


def build_sdist(sdist_directory, config_settings=None):
    name, version, _, _ = _project()
    base = f"{name}-{version}"
    filename = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as sdist:
        for entry in ("pyproject.toml", "README.md", "build_backend", _PACKAGE, "tests"):
            path = os.path.join(_ROOT, entry)
            if os.path.exists(path):
                sdist.add(path, arcname=f"{base}/{entry}",
                          filter=lambda t: None if "__pycache__" in t.name else t)
        data = _metadata().encode()
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size = len(data)
        sdist.addfile(info, io.BytesIO(data))
    return filename
