"""The engine worker: a separate process that owns the only Llama object.

It reads requests from stdin and writes events to a private copy of stdout, one request at a
time. A reader thread watches stdin meanwhile, so a cancel stops the running request between
tokens, or during prompt evaluation through llama.cpp's abort callback.
"""

from __future__ import annotations

import codecs
import ctypes
import os
import queue
import signal
import sys
import threading
import time

from writer.core.errors import EngineError
from writer.core.events import tokens_per_second
from writer.core.fit import UNKNOWN_RAM, ram_bytes
from writer.core.models import missing_model, no_model_loaded
from writer.core.messages import Message, msg, plain
from writer.engine import backends, decoding, parallel, protocol
from writer.engine.protocol import Count, Done, Error, Generate, GeneratePieces, Info, Load, Prefill, Probe, Text

FILE_TYPES = {0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
              10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M",
              16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 32: "BF16"}


def default_threads() -> int:
    # Decoding is bound by memory bandwidth: beyond a few cores more threads only add contention.
    return max(1, min(8, os.cpu_count() or 1))


def _load_error_message(exc: Exception, path: str) -> Message:
    text, name = str(exc), os.path.basename(path)
    if "Failed to load model" in text:
        return msg("model.damaged", "Could not load the model {name}: the file is damaged, incomplete or not a supported "
                   "GGUF model.", name=name)
    if "Failed to create llama_context" in text:
        return msg("model.no_memory", "Not enough memory to create the model's context; lower the context size or the "
                   "GPU layers.")
    return msg("model.load_failed", "Could not load the model {name}: {reason}", name=name, reason=text)


def render_chat(template: str, messages: list[dict], bos: str, eos: str):
    """The prompt in the model's own chat template, rendered in llama-cpp-python's sandboxed Jinja
    environment. A template that refuses a system message (Gemma 2's) gets it at the top of the
    first user turn instead, as templates without a system role do themselves (Gemma 3's)."""
    from jinja2 import TemplateError
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    formatter = Jinja2ChatFormatter(template, eos_token=eos, bos_token=bos)
    try:
        return formatter(messages=messages)
    except (TemplateError, ValueError):  # ValueError: the template's raise_exception()
        if len(messages) < 2 or messages[0]["role"] != "system" or messages[1]["role"] != "user":
            raise
        system, user, *rest = messages
        folded = {"role": "user", "content": system["content"] + "\n\n" + user["content"]}
        return formatter(messages=[folded, *rest])


class Engine:
    """The model and the requests it serves; used only by the worker's main thread."""

    def __init__(self, send, cancel: threading.Event) -> None:
        self.send = send
        self.cancel = cancel
        self.llm = None
        self.load_info: dict = {}
        self._pieces: dict[int, bytes] = {}
        # Checked by llama.cpp between graph nodes while a prompt is evaluated.
        self._abort_cb = None

    # -- requests -------------------------------------------------------------------------
    def handle(self, rid: int | None, request) -> None:
        """Answers one request; `send(rid, event)` writes each event for it."""
        try:
            if isinstance(request, Load):
                self.load(request)
                self.send(rid, protocol.Loaded(**self.info()))
            elif isinstance(request, Probe):
                self.send(rid, protocol.Probed(self.probe(request.path)))
            elif isinstance(request, Info):
                self.send(rid, protocol.Described(**self.info()))
            elif isinstance(request, Count):
                self.send(rid, protocol.Counted(self.count(request.texts)))
            elif isinstance(request, Generate):
                self.generate(rid, request)
            elif isinstance(request, GeneratePieces):
                self.generate_pieces(rid, request)
            elif isinstance(request, Prefill):
                self.send(rid, self.prefill(request))
        except EngineError as exc:
            self.send(rid, Error(exc.message.to_data()))
        except Exception as exc:  # the worker reports and carries on; the client decides
            self.send(rid, Error(plain(f"{type(exc).__name__}: {exc}", "internal").to_data()))

    def load(self, request: Load) -> None:
        from llama_cpp import Llama, llama_supports_gpu_offload

        path = _existing_file(request.path)
        self.close()
        requested = request.gpu_layers
        started = backends.started()
        can_offload = bool(llama_supports_gpu_offload()) and started.choice.backend == "gpu"
        if requested == "auto":
            layers = -1 if can_offload else 0
        else:
            layers = int(requested) if can_offload else 0
        attempts = [layers] + ([layers // 2 if layers > 0 else 16, 0] if layers != 0 else [])
        threads = int(request.threads or default_threads())
        # Why the model runs on fewer GPU layers than asked, if it does.
        reason = None if can_offload or requested in (0, "0") else _no_gpu_reason(started, requested)
        system_info = llama_cpp_system_info()
        last_exc: Exception | None = None
        for n in attempts:
            type_k, type_v = backends.cache_types(can_offload and n != 0, system_info)
            try:
                self.llm = Llama(
                    model_path=path,
                    n_ctx=int(request.n_ctx),
                    n_gpu_layers=n,
                    n_threads=threads,
                    n_threads_batch=os.cpu_count() or threads,
                    n_batch=512,
                    # Cache types with a flash-attention kernel on this backend (backends.cache_types).
                    flash_attn=True,
                    type_k=type_k,
                    type_v=type_v,
                    verbose=False,
                )
                break
            except (ValueError, RuntimeError) as exc:
                last_exc = exc
                reason = msg("gpu.load_failed", "loading with {layers} GPU layers failed ({reason})",
                             layers=n if n >= 0 else "all", reason=_load_error_message(exc, path))
        if self.llm is None:
            raise EngineError(_load_error_message(last_exc, path))
        n_layer = _layers(self.llm)
        offloaded = 0 if not can_offload else (n_layer + 1 if n < 0 else min(n, n_layer + 1))
        # On a GPU drafts and pieces written together were measured slower than one token at a
        # time (H200: drafting x0.74-0.97, pieces x0.72) and not token for token identical with
        # its cache types, so that backend writes one token at a time (see README).
        on_gpu = offloaded > 0
        streams = 1 if on_gpu else parallel.choose_streams(threads, self.llm.n_ctx(), parallel.kv_bytes_per_token(self.llm),
                                                           ram_bytes() or UNKNOWN_RAM)
        try:
            parallel.widen_context(self.llm, streams)
        except (ValueError, RuntimeError):  # no memory for the extra streams: pieces go one by one
            streams = 1
        self.load_info = {"path": path, "gpu_layers": offloaded, "gpu_fallback": reason.to_data() if reason else None,
                          "threads": threads, "parallel": streams,
                          "drafting": bool(request.speculative) and not on_gpu,
                          "read_ahead": True, "context_finish": True,
                          "backend": "gpu" if on_gpu else "cpu", "cpu_variant": started.choice.variant,
                          "gpu_name": started.gpus[0] if on_gpu and started.gpus else None}
        self._pieces.clear()
        self._install_abort_callback()
        self._prove()

    def _prove(self) -> None:
        """A short decode under the chosen backend, prompt and single token both, before the model
        is reported ready: a backend that crashes in its first use (llama.cpp's AMX kernels, a GPU
        driver) crashes here, where the client knows to try the next choice (placement.py)."""
        llm = self.llm
        _crash_if_asked("first")
        tokens = llm.tokenize(b" Writer", add_bos=True)
        llm.eval(tokens)
        llm.eval([llm.token_eos()])
        llm.n_tokens = 0
        llm._ctx.kv_cache_seq_rm(-1, 0, -1)

    def _install_abort_callback(self) -> None:
        import llama_cpp
        self._abort_cb = llama_cpp.ggml_abort_callback(lambda _data: self.cancel.is_set())
        self._set_abort(True)

    def _set_abort(self, on: bool) -> None:
        """The callback runs for every graph node (about 600 per token): on while a prompt is
        evaluated, so cancel works mid-prompt; off while decoding, where it is checked per token."""
        import llama_cpp
        callback = self._abort_cb if on else llama_cpp.ggml_abort_callback()
        llama_cpp.llama_set_abort_callback(self.llm._ctx.ctx, callback, None)

    def close(self) -> None:
        if self.llm is not None:
            self.llm.close()
            self.llm = None
            self.load_info = {}

    def info(self) -> dict:
        import llama_cpp
        started = backends.started()
        info = {
            "llama_cpp_version": llama_cpp.__version__,
            "gpu_offload_supported": bool(llama_cpp.llama_supports_gpu_offload()),
            "system_info": llama_cpp_system_info(),
            "cpu_variant": started.choice.variant,
            "backend": started.choice.backend,
            "gpus": list(started.gpus),
            "model": None,
        }
        if self.llm is not None:
            info["model"] = {**self.load_info, **describe(self.llm, self.load_info["path"])}
        return info

    def probe(self, path: str) -> dict:
        """Loads a model file just to read what it is, then frees it (the current model stays)."""
        from llama_cpp import Llama

        _existing_file(path)
        try:
            llm = Llama(model_path=path, n_ctx=256, n_gpu_layers=0, verbose=False)
        except (ValueError, RuntimeError) as exc:
            raise EngineError(_load_error_message(exc, path)) from None
        try:
            return describe(llm, path)
        finally:
            llm.close()

    def _require_model(self):
        if self.llm is None:
            raise no_model_loaded()
        return self.llm

    def count(self, texts: list) -> list[int]:
        llm = self._require_model()
        return [len(llm.tokenize(str(t).encode("utf-8"), add_bos=False, special=False)) for t in texts]

    def _prompt_tokens(self, request: Generate | protocol.Piece | Prefill) -> list[int]:
        llm = self._require_model()
        if getattr(request, "messages", None) is not None:
            template = llm.metadata.get("tokenizer.chat_template")
            if not template:
                raise EngineError(msg("model.no_template", "This model has no chat template; choose an instruction-tuned "
                                      "model."))
            vocab = llm._model
            eos = vocab.token_get_text(llm.token_eos()) if llm.token_eos() >= 0 else ""
            bos = vocab.token_get_text(llm.token_bos()) if llm.token_bos() >= 0 else ""
            result = render_chat(template, request.messages, bos=bos, eos=eos)
            add_bos = not result.added_special and not result.prompt.startswith(bos or "\x00")
            return llm.tokenize(result.prompt.encode("utf-8"), add_bos=add_bos, special=True)
        return llm.tokenize(str(request.prompt or "").encode("utf-8"), add_bos=True, special=False)

    def _piece(self, token: int) -> bytes:
        piece = self._pieces.get(token)
        if piece is None:
            import llama_cpp
            buf = ctypes.create_string_buffer(64)
            n = llama_cpp.llama_token_to_piece(self.llm._model.vocab, token, buf, 64, 0, False)
            if n < 0:
                buf = ctypes.create_string_buffer(-n)
                n = llama_cpp.llama_token_to_piece(self.llm._model.vocab, token, buf, -n, 0, False)
            piece = self._pieces[token] = buf.raw[:n]
        return piece

    def prefill(self, request: Prefill) -> Done:
        """Evaluates a prompt ahead of its request (the text the user just selected), so the
        request that follows reuses it from the KV cache and starts at once. Cancellable mid-way;
        what was evaluated by then is kept. Its Done counts the prompt tokens it evaluated."""
        llm = self._require_model()
        tokens = self._prompt_tokens(request)[: decoding.context_limit(llm) - 1]
        cached = decoding.reuse_cached_prefix(llm, tokens)
        started = time.perf_counter()
        try:
            llm.eval(tokens[llm.n_tokens:])
        except RuntimeError as exc:
            if not self.cancel.is_set():
                raise _writing_failed(exc) from None
        return Done("cancelled" if self.cancel.is_set() else "stop", prompt_tokens=llm.n_tokens - cached,
                    prompt_s=round(time.perf_counter() - started, 4))

    def generate(self, rid: int | None, request: Generate) -> None:
        import llama_cpp
        llm = self._require_model()
        _crash_if_asked("later")
        tokens = self._prompt_tokens(request)
        room = decoding.context_limit(llm) - len(tokens)
        if room < 1:
            raise _context_exceeded(len(tokens), decoding.context_limit(llm))
        max_tokens = min(int(request.max_tokens), room)
        if request.seed is not None:
            llm.set_seed(int(request.seed))
        ignore_eos = bool(request.ignore_eos)
        vocab = llm._model.vocab
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        started = time.perf_counter()
        first_token_at = None
        n_out, finish = 0, "length"
        sampling = _sampling(request)
        speculative = self.load_info["drafting"] if request.speculative is None else bool(request.speculative)
        drafts = decoding.DraftStats()
        try:
            for token in decoding.generate_tokens(llm, tokens, sampling, speculative, drafts):
                if first_token_at is None:
                    first_token_at = time.perf_counter()
                    self._set_abort(False)
                if self.cancel.is_set():
                    finish = "cancelled"
                    break
                if not ignore_eos and llama_cpp.llama_vocab_is_eog(vocab, token):
                    finish = "stop"
                    break
                n_out += 1
                text = decoder.decode(self._piece(token))
                if text:
                    self.send(rid, Text(text))
                if n_out >= max_tokens:
                    finish = "length" if max_tokens == int(request.max_tokens) else "context"
                    break
        except RuntimeError as exc:
            if not self.cancel.is_set():
                raise _writing_failed(exc) from None
            finish = "cancelled"  # llama.cpp's abort callback stopped the prompt evaluation
        finally:
            self._set_abort(True)
        tail = decoder.decode(b"", final=True)
        if tail:
            self.send(rid, Text(tail))
        ended = time.perf_counter()
        decode_s = ended - first_token_at if first_token_at else 0.0
        self.send(rid, Done(finish, n_out, tokens_per_second(n_out, decode_s),
                            len(tokens), round((first_token_at or ended) - started, 4), drafts.drafted, drafts.accepted))

    def generate_pieces(self, rid: int | None, request: GeneratePieces) -> None:
        """Several independent prompts (the pieces of a long document) written at once; events
        carry the piece's index, each piece ends with a Done for it, and the request with its own."""
        import llama_cpp
        llm = self._require_model()
        pieces = request.pieces
        prompts = [self._prompt_tokens(piece) for piece in pieces]
        limit = decoding.context_limit(llm)
        for tokens in prompts:
            if len(tokens) >= limit:
                raise _context_exceeded(len(tokens), limit)
        limits = [min(int(p.max_tokens), limit - len(t)) for p, t in zip(pieces, prompts)]
        if request.seed is not None:
            llm.set_seed(int(request.seed))
        vocab = llm._model.vocab
        decoders = [codecs.getincrementaldecoder("utf-8")(errors="replace") for _ in prompts]
        ended: set[int] = set()
        written, started = 0, time.perf_counter()
        finish = "stop"
        run = parallel.decode_pieces(llm, prompts, limits, _sampling(request), self.load_info.get("parallel", 1),
                                     lambda token: not request.ignore_eos and llama_cpp.llama_vocab_is_eog(vocab, token),
                                     limit, self._set_abort)
        try:
            for event in run:
                if self.cancel.is_set():
                    finish = "cancelled"
                    break
                if isinstance(event, parallel.PieceToken):
                    written += 1
                    text = decoders[event.piece].decode(self._piece(event.token))
                    if text:
                        self.send(rid, Text(text, event.piece))
                    continue
                tail = decoders[event.piece].decode(b"", final=True)
                if tail:
                    self.send(rid, Text(tail, event.piece))
                asked = int(pieces[event.piece].max_tokens)
                reason = "context" if event.finish == "length" and limits[event.piece] < asked else event.finish
                ended.add(event.piece)
                self.send(rid, Done(reason, event.written, prompt_tokens=event.prompt_tokens, piece=event.piece))
        except RuntimeError as exc:
            if not self.cancel.is_set():
                raise _writing_failed(exc) from None
            finish = "cancelled"  # llama.cpp's abort callback stopped a prompt's evaluation
        finally:
            run.close()
            self._set_abort(True)
        for piece in range(len(prompts)):
            if piece not in ended:
                self.send(rid, Done("cancelled", prompt_tokens=len(prompts[piece]), piece=piece))
        seconds = time.perf_counter() - started
        self.send(rid, Done(finish, written, tokens_per_second(written, seconds),
                            sum(map(len, prompts))))


def llama_cpp_system_info() -> str:
    import llama_cpp
    return llama_cpp.llama_print_system_info().decode("utf-8", "replace").strip()


def _no_gpu_reason(started: backends.Started, requested) -> Message | None:
    """Why the model runs on the CPU. With "auto" only a build that ships a GPU backend which
    found no device says so (a writer who installed it for the GPU wants to know); a CPU build
    or the CPU chosen (forced, or recorded after a crash: said once then) stays quiet."""
    chosen_cpu = os.environ.get("WRITER_BACKEND") == "cpu"
    if requested == "auto":
        if chosen_cpu or not started.gpu_kinds:
            return None
        return msg("gpu.no_device", "no GPU answered through {kinds} (a graphics driver with {kinds} support lets "
                   "Writer use one)", kinds="/".join(started.gpu_kinds))
    if chosen_cpu:
        return msg("gpu.cpu_chosen", "the CPU is chosen for this computer (writer doctor says why)")
    return msg("gpu.build_cannot_offload", "this llama.cpp build cannot offload to a GPU")


def _crash_if_asked(when: str) -> None:
    """For the tests of the crash fallback: WRITER_TEST_CRASH names choices ("cpu:haswell",
    "gpu", "*"; comma-separated) under which the worker dies of SIGSEGV in its first decode, or,
    with "@later" after a name, at its first request to write instead."""
    wanted = os.environ.get("WRITER_TEST_CRASH")
    if not wanted:
        return
    choice = backends.started().choice
    for item in wanted.split(","):
        name, _, moment = item.strip().partition("@")
        if (moment or "first") == when and name in ("*", choice.backend, str(choice)):
            os.kill(os.getpid(), signal.SIGSEGV)


def _sampling(request: protocol.Sampling) -> dict:
    """llama-cpp-python's sampler parameters for a request."""
    return {"temp": float(request.temperature), "top_k": int(request.top_k), "top_p": float(request.top_p),
            "min_p": float(request.min_p), "repeat_penalty": float(request.repeat_penalty)}


def _context_exceeded(needed: int, context: int) -> EngineError:
    return EngineError(msg("engine.context_exceeded", "The request needs {needed} tokens but the model's context "
                           "holds {context}; select less text or raise the context size.", needed=needed,
                           context=context))


def _writing_failed(exc: Exception) -> EngineError:
    return EngineError(msg("engine.writing_failed", "The model failed while writing: {reason}", reason=str(exc)))


def _existing_file(path: str) -> str:
    if not os.path.isfile(path):
        raise EngineError(missing_model(path).message)
    return path


def _layers(llm) -> int:
    import llama_cpp
    return int(llama_cpp.llama_model_n_layer(llm._model.model))


def describe(llm, path: str) -> dict:
    """What the user sees of a model: name, size, quantization, parameters, context, layers."""
    import llama_cpp

    meta = llm.metadata
    arch = meta.get("general.architecture", "")
    file_type = meta.get("general.file_type")
    return {
        "name": meta.get("general.name") or os.path.basename(path),
        "architecture": arch,
        "parameters": int(llama_cpp.llama_model_n_params(llm._model.model)),
        "size_bytes": os.path.getsize(path),
        "layers": _layers(llm),
        "kv_token_bytes": parallel.kv_bytes_per_token(llm),
        "context_train": int(meta.get(f"{arch}.context_length", 0) or 0),
        "context": decoding.context_limit(llm),
        "quantization": FILE_TYPES.get(int(file_type), str(file_type)) if file_type is not None else None,
        "chat_template": bool(meta.get("tokenizer.chat_template")),
    }


def run() -> int:
    # Events go to a private copy of stdout; fd 1 then points at stderr, so anything native
    # code prints (llama.cpp redirects fds 1 and 2 while loading) never corrupts the protocol.
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    write_lock = threading.Lock()

    def send(rid: int | None, message) -> None:
        data = protocol.encode(message, rid)
        with write_lock:
            out.write(data)

    inbox: queue.Queue = queue.Queue()
    cancel = threading.Event()
    state = {"current": None, "queued": set(), "cancelled": set()}
    state_lock = threading.Lock()

    def read_requests() -> None:
        stdin = sys.stdin.buffer
        while True:
            try:
                read = protocol.read_message(stdin, protocol.REQUESTS)
            except protocol.ProtocolError as exc:  # answered under the request's id when it could be read
                send(exc.id, Error(plain(str(exc), "engine.protocol").to_data()))
                continue
            if read is None or isinstance(read[1], protocol.Shutdown):
                inbox.put(None)
                return
            rid, request = read
            if isinstance(request, protocol.Cancel):
                with state_lock:
                    if request.target == state["current"]:
                        cancel.set()
                    elif request.target in state["queued"]:
                        # A request still waiting ends now, without waiting for the one running.
                        state["cancelled"].add(request.target)
                        send(request.target, Done("cancelled"))
                continue
            with state_lock:
                state["queued"].add(rid)
            inbox.put(read)

    started = backends.prepare()
    threading.Thread(target=read_requests, name="requests", daemon=True).start()
    engine = Engine(send, cancel)
    send(None, protocol.Ready(protocol.VERSION, os.getpid(), list(started.choice.to_data()),
                              [list(c.to_data()) for c in started.chain], list(started.gpus)))
    while True:
        read = inbox.get()
        if read is None:
            break
        rid, request = read
        with state_lock:
            state["queued"].discard(rid)
            skipped = rid in state["cancelled"]
            state["cancelled"].discard(rid)
            state["current"] = rid
            cancel.clear()
        if not skipped:  # a cancelled request was already answered when it was cancelled
            engine.handle(rid, request)
        with state_lock:
            state["current"] = None
    engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
