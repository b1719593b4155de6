"""Argument types and the one definition of the options every model command (the actions, ask) shares."""

from __future__ import annotations

import argparse
from dataclasses import replace

from writer.core.errors import UserError
from writer.core.settings import CONTEXT, TEMPERATURE, Settings, parse_gpu_layers


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be at least 1")
    return value


def context_size(text: str) -> int:
    value = positive_int(text)
    if value not in CONTEXT:
        raise argparse.ArgumentTypeError(f"the context size must be at least {CONTEXT.low} tokens and at most {CONTEXT.high}")
    return value


def gpu_layers(text: str):
    try:
        return parse_gpu_layers(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not 'auto' or a number of layers") from None


def temperature(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if value not in TEMPERATURE:
        raise argparse.ArgumentTypeError(f"temperature must be between {TEMPERATURE.low:g} and {TEMPERATURE.high:g}")
    return value


def add_model_options(p: argparse.ArgumentParser) -> None:
    """Where the model runs and how it writes: the same options, with the same meaning, for every
    command that runs the model."""
    p.add_argument("--model", help="a .gguf model file (default: the bundled model or the one chosen in settings)")
    p.add_argument("--gpu-layers", type=gpu_layers, help="auto, or how many layers to offload to the GPU (0 = CPU only)")
    p.add_argument("--ctx", type=context_size, help="context size in tokens")
    add_backend_options(p)
    p.add_argument("--server", metavar="URL", help="an OpenAI-compatible server to use instead of this computer, "
                   "e.g. http://gpu-box:8080/v1 (key: WRITER_API_KEY or the keyring)")
    p.add_argument("--server-model", metavar="NAME", help="the model on that server (default: the one in the "
                   "settings, else the first the server lists)")
    p.add_argument("--max-tokens", type=positive_int, help="the most tokens to write per piece")
    p.add_argument("--temperature", type=temperature, help="0 for the most predictable output")
    p.add_argument("--seed", type=int, help="a seed for repeatable output")
    p.add_argument("--speculative", choices=("on", "off"), help="draft from the input to write faster (default: on)")


def add_backend_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=("auto", "gpu", "cpu"), help="where llama.cpp runs (default: auto, the GPU "
                   "when one is found; a crash on first use falls back to the CPU)")
    p.add_argument("--cpu-variant", metavar="NAME", help="llama.cpp's CPU code to use, e.g. haswell or x64 "
                   "(default: auto; 'writer doctor' lists them)")


def generation_params(args, settings: Settings, command: str) -> dict:
    """max_tokens, temperature and seed for this command: as given, else the settings' temperature
    for it (writer.core.settings.Settings.temperature_for)."""
    chosen = args.temperature if args.temperature is not None else settings.temperature_for(command)
    return {"max_tokens": args.max_tokens, "temperature": chosen, "seed": args.seed}


def engine_settings(args) -> Settings:
    """The saved settings with this command's engine options applied."""
    settings = Settings.load()
    settings = replace(
        settings,
        model_path=args.model or settings.model_path,
        n_ctx=args.ctx or settings.n_ctx,
        gpu_layers=args.gpu_layers if args.gpu_layers is not None else settings.gpu_layers,
        backend=args.backend or settings.backend,
        cpu_variant=args.cpu_variant or settings.cpu_variant,
        speculative=settings.speculative if args.speculative is None else args.speculative == "on",
    )
    return server_settings(args, settings)


def server_settings(args, settings: Settings) -> Settings:
    """--server and --server-model applied: a server named here replaces the saved one (keeping
    its CA file and context length only when it is the same server)."""
    from writer.core.server_url import server_root

    if args.server is None:
        if args.server_model and settings.engine != "server":
            raise UserError("cli.server_model_alone", "--server-model needs a server: add --server URL, or choose a "
                            "server in the settings.")
        return replace(settings, server_model=args.server_model or settings.server_model)
    same = settings.server_url is not None and server_root(settings.server_url) == server_root(args.server)
    return replace(settings, engine="server", server_url=args.server,
                   server_model=args.server_model or (settings.server_model if same else None),
                   server_ca_file=settings.server_ca_file if same else None,
                   server_context=settings.server_context if same else None)
