#!/usr/bin/env python3
"""Writes an .srg file straight from a PyTorch generator module, for architectures `srg import` does
not recognise.

The module is traced with torch.fx, so its forward must be traceable (no control flow that depends on
tensor values). Supported layers: Conv2d, ConvTranspose2d, BatchNorm2d (eval mode), ReLU, LeakyReLU,
PReLU, Sigmoid, Tanh, Hardtanh/ReLU6, PixelShuffle, PixelUnshuffle, Upsample and F.interpolate
(nearest, bilinear, bicubic; align_corners False), torch.cat over channels, and +, -, *, / between
feature maps or with constants (residual adds, residual scaling). Anything else stops the export with
the name of the node.

    import torch
    from export_srg import export
    model = MyGenerator(); model.load_state_dict(torch.load("g.pth")); model.eval()
    export(model, "g.srg", name="my-generator")

The container follows Sources/Inference/SRGFile.swift (and man/srg.5): a 32-byte preamble (magic
"SRG\\0", u32 version 1, u32 byte-order mark 0x01020304, u32 header length, u64 data offset aligned to
64, u64 data length), the JSON header {metadata, inputs, outputs, nodes, tensors}, float32 tensors at
64-byte-aligned offsets, and a trailing u64 FNV-1a-64 of every byte before it. Little-endian throughout.
"""
import json
import operator
import struct

import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F

ALIGN = 64


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def encode(metadata, nodes, tensors, inputs=("input",), outputs=None):
    """Serialises a graph: `tensors` maps names to float32 torch tensors."""
    data = bytearray()
    table = {}
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous().cpu()
        data += b"\0" * (-len(data) % ALIGN)
        raw = t.numpy().astype("<f4").tobytes()
        table[name] = {"dtype": "f32", "shape": list(t.shape), "offset": len(data), "length": len(raw)}
        data += raw
    header = json.dumps(
        {"metadata": metadata, "inputs": list(inputs), "outputs": list(outputs), "nodes": nodes, "tensors": table},
        separators=(",", ":"), sort_keys=True).encode()
    data_offset = -(-(32 + len(header)) // ALIGN) * ALIGN
    out = bytearray(b"SRG\0")
    out += struct.pack("<IIIQQ", 1, 0x01020304, len(header), data_offset, len(data))
    out += header
    out += b"\0" * (data_offset - len(out))
    out += data
    out += struct.pack("<Q", fnv1a64(out))
    return bytes(out)


def _pair(v):
    return [v, v] if isinstance(v, int) else list(v)


class _Exporter:
    def __init__(self, gm):
        self.gm = gm
        self.nodes, self.tensors, self.names = [], {}, {}
        self.output = None

    def fail(self, node, why):
        raise ValueError(f"cannot export fx node '{node.name}' ({node.op} {node.target}): {why}")

    def value(self, arg):
        return self.names[arg.name]

    def emit(self, node, op, inputs, **attrs):
        spec = {"op": op, "inputs": [self.value(a) for a in inputs], "output": node.name}
        spec.update({k: v for k, v in attrs.items() if v is not None})
        self.nodes.append(spec)
        self.names[node.name] = node.name

    def weight(self, node, role, t):
        name = f"{node.name}.{role}"
        self.tensors[name] = t
        return name

    def run(self):
        for node in self.gm.graph.nodes:
            if node.op == "placeholder":
                if self.names:
                    self.fail(node, "the module must take one input")
                self.names[node.name] = "input"
            elif node.op == "output":
                arg = node.args[0]
                if not isinstance(arg, torch.fx.Node):
                    self.fail(node, "the module must return one tensor")
                self.output = self.value(arg)
            elif node.op == "call_module":
                self.module(node, self.gm.get_submodule(node.target))
            elif node.op in ("call_function", "call_method"):
                self.function(node)
            else:
                self.fail(node, "constants and parameters used directly in forward are not supported")
        return self.nodes, self.tensors, self.output

    def alias(self, node, arg):
        self.names[node.name] = self.value(arg)

    def activation(self, node, x, kind, **extra):
        self.emit(node, "activation", [x], activation=dict(kind=kind, **extra))

    def module(self, node, m):
        x = node.args[0]
        if isinstance(m, nn.Conv2d):
            if m.padding_mode != "zeros":
                self.fail(node, f"padding mode {m.padding_mode} is not supported")
            kh, kw = m.kernel_size
            if m.padding == "same":
                dh, dw = m.dilation
                ph, pw = dh * (kh - 1), dw * (kw - 1)
                padding = [ph // 2, pw // 2, ph - ph // 2, pw - pw // 2]
            elif m.padding == "valid":
                padding = [0, 0, 0, 0]
            else:
                ph, pw = _pair(m.padding)
                padding = [ph, pw, ph, pw]
            weights = {"weight": self.weight(node, "weight", m.weight)}
            if m.bias is not None:
                weights["bias"] = self.weight(node, "bias", m.bias)
            self.emit(node, "conv2d", [x], kernel=[kh, kw], stride=_pair(m.stride), padding=padding,
                      dilation=_pair(m.dilation), groups=m.groups if m.groups != 1 else None, weights=weights)
        elif isinstance(m, nn.ConvTranspose2d):
            if m.groups != 1 or tuple(m.dilation) != (1, 1):
                self.fail(node, "grouped or dilated transposed convolution is not supported")
            ph, pw = _pair(m.padding)
            weights = {"weight": self.weight(node, "weight", m.weight.transpose(0, 1))}  # [in][out] -> [out][in]
            if m.bias is not None:
                weights["bias"] = self.weight(node, "bias", m.bias)
            self.emit(node, "conv_transpose2d", [x], kernel=list(m.kernel_size), stride=_pair(m.stride),
                      padding=[ph, pw, ph, pw], outputPadding=_pair(m.output_padding), weights=weights)
        elif isinstance(m, nn.BatchNorm2d):
            if m.training or m.running_mean is None:
                self.fail(node, "batch norm must be in eval mode with running statistics (call model.eval())")
            scale = (m.weight if m.affine else 1) / torch.sqrt(m.running_var + m.eps)
            shift = (m.bias if m.affine else 0) - m.running_mean * scale
            c = m.num_features
            self.emit(node, "conv2d", [x], kernel=[1, 1], groups=c if c > 1 else None, weights={
                "weight": self.weight(node, "weight", scale.reshape(c, 1, 1, 1)),
                "bias": self.weight(node, "bias", shift)})
        elif isinstance(m, nn.ReLU):
            self.activation(node, x, "relu")
        elif isinstance(m, nn.LeakyReLU):
            self.activation(node, x, "leaky_relu", slope=float(m.negative_slope))
        elif isinstance(m, nn.Sigmoid):
            self.activation(node, x, "sigmoid")
        elif isinstance(m, nn.Tanh):
            self.activation(node, x, "tanh")
        elif isinstance(m, nn.Hardtanh):  # and ReLU6
            self.activation(node, x, "clamp", min=float(m.min_val), max=float(m.max_val))
        elif isinstance(m, nn.PReLU):
            self.emit(node, "prelu", [x], weights={"slope": self.weight(node, "slope", m.weight.reshape(-1))})
        elif isinstance(m, nn.PixelShuffle):
            self.emit(node, "pixel_shuffle", [x], factor=m.upscale_factor)
        elif isinstance(m, nn.PixelUnshuffle):
            self.emit(node, "pixel_unshuffle", [x], factor=m.downscale_factor)
        elif isinstance(m, nn.Upsample):
            self.resize(node, x, m.scale_factor, m.mode, m.align_corners, m.size)
        elif isinstance(m, (nn.Identity, nn.Dropout, nn.Dropout2d)):
            self.alias(node, x)
        else:
            self.fail(node, f"layer {type(m).__name__} is not supported")

    def resize(self, node, x, scale, mode, align_corners, size=None):
        if size is not None or scale is None:
            self.fail(node, "resizing to a fixed size is not supported (use scale_factor)")
        if mode not in ("nearest", "bilinear", "bicubic"):
            self.fail(node, f"resize mode {mode} is not supported")
        if align_corners:
            self.fail(node, "align_corners=True is not supported")
        sy, sx = (scale, scale) if isinstance(scale, (int, float)) else scale
        self.emit(node, "resize", [x], mode=mode, scales=[float(sy), float(sx)])

    def function(self, node):
        t, args, kw = node.target, list(node.args), dict(node.kwargs)
        is_node = lambda a: isinstance(a, torch.fx.Node)
        name = t if isinstance(t, str) else getattr(t, "__name__", str(t))
        if name in ("add", "iadd", "__add__", "__iadd__", "sub", "isub", "__sub__", "__isub__"):
            a, b = args[0], args[1] if len(args) > 1 else kw.get("other")
            sign = -1.0 if "sub" in name else 1.0
            if "alpha" in kw:
                sign *= float(kw["alpha"])
            if is_node(a) and is_node(b):
                self.emit(node, "add", [a, b], coefficients=None if sign == 1 else [1.0, sign])
            elif is_node(a):
                self.emit(node, "affine", [a], value=[1.0, sign * float(b)])
            elif is_node(b):
                self.emit(node, "affine", [b], value=[sign, float(a)])
            else:
                self.fail(node, "neither operand is a feature map")
        elif name in ("mul", "imul", "__mul__", "__imul__", "truediv", "itruediv", "div", "__truediv__"):
            a, b = args[0], args[1]
            div = "div" in name
            if is_node(a) and is_node(b):
                if div:
                    self.fail(node, "division by a feature map is not supported")
                self.emit(node, "multiply", [a, b])
            elif is_node(a):
                self.emit(node, "affine", [a], value=[1.0 / float(b) if div else float(b), 0.0])
            elif is_node(b) and not div:
                self.emit(node, "affine", [b], value=[float(a), 0.0])
            else:
                self.fail(node, "unsupported operands")
        elif name == "neg":
            self.emit(node, "affine", [args[0]], value=[-1.0, 0.0])
        elif name == "cat":
            xs, dim = args[0], args[1] if len(args) > 1 else kw.get("dim", 0)
            if dim not in (1, -3):
                self.fail(node, "only concatenation over channels (dim=1) is supported")
            self.emit(node, "concat", list(xs))
        elif name == "interpolate":
            scale = kw.get("scale_factor", args[2] if len(args) > 2 else None)
            size = kw.get("size", args[1] if len(args) > 1 else None)
            mode = kw.get("mode", args[3] if len(args) > 3 else "nearest")
            align = kw.get("align_corners", args[4] if len(args) > 4 else None)
            self.resize(node, args[0], scale, mode, align, size)
        elif name in ("pixel_shuffle", "pixel_unshuffle"):
            self.emit(node, name, [args[0]], factor=int(args[1] if len(args) > 1 else kw[
                "upscale_factor" if name == "pixel_shuffle" else "downscale_factor"]))
        elif name in ("relu", "relu_"):
            self.activation(node, args[0], "relu")
        elif name in ("leaky_relu", "leaky_relu_"):
            slope = args[1] if len(args) > 1 else kw.get("negative_slope", 0.01)
            self.activation(node, args[0], "leaky_relu", slope=float(slope))
        elif name in ("sigmoid", "sigmoid_"):
            self.activation(node, args[0], "sigmoid")
        elif name in ("tanh", "tanh_"):
            self.activation(node, args[0], "tanh")
        elif name in ("clamp", "clamp_", "clip"):
            lo = args[1] if len(args) > 1 else kw.get("min")
            hi = args[2] if len(args) > 2 else kw.get("max")
            extra = {k: float(v) for k, v in (("min", lo), ("max", hi)) if v is not None}
            self.activation(node, args[0], "clamp", **extra)
        elif name in ("contiguous", "clone", "detach"):
            self.alias(node, args[0])
        else:
            self.fail(node, "this operation is not supported")


def export(module, path, *, name, architecture="custom", in_channels=3, scale=None, halo=16,
           input_range=(0.0, 1.0), output_range=(0.0, 1.0), size_multiple=1, source="", licence=""):
    """Traces `module` (put it in eval mode first) and writes it to `path` as an .srg file. The scale
    and output channels are measured with a 3-channel 32x32 trial input unless `scale` is given."""
    module = module.eval()
    gm = torch.fx.symbolic_trace(module)
    nodes, tensors, output = _Exporter(gm).run()
    side = 32 * size_multiple
    with torch.no_grad():
        y = module(torch.rand(1, in_channels, side, side))
    if scale is None:
        scale = y.shape[-1] // side
        if scale * side != y.shape[-1]:
            raise ValueError(f"a {side}x{side} input gives {tuple(y.shape[-2:])}: not an integer scale")
    metadata = {
        "name": name, "architecture": architecture, "scale": int(scale),
        "inputChannels": in_channels, "outputChannels": int(y.shape[1]), "colourOrder": "RGB",
        "inputRange": list(map(float, input_range)), "outputRange": list(map(float, output_range)),
        "halo": int(halo), "consumes": 0, "sizeMultiple": int(size_multiple), "fp16Safe": True,
        "extraInputPlanes": [], "source": source or f"PyTorch module {type(module).__name__}", "licence": licence,
    }
    with open(path, "wb") as f:
        f.write(encode(metadata, nodes, tensors, outputs=[output]))
    return metadata


if __name__ == "__main__":
    import argparse
    import importlib

    p = argparse.ArgumentParser(description="Export a PyTorch generator to .srg.")
    p.add_argument("factory", help="module:callable returning the generator, e.g. mynets:Generator")
    p.add_argument("-w", "--weights", help="a state dict (.pth) to load into it")
    p.add_argument("-o", "--output", required=True, help="the .srg file to write")
    p.add_argument("--name", help="the model's name (default: the output file's base name)")
    p.add_argument("--architecture", default="custom")
    p.add_argument("--halo", type=int, default=16, help="input pixels of context a tile needs")
    a = p.parse_args()
    mod, _, attr = a.factory.partition(":")
    model = getattr(importlib.import_module(mod), attr)()
    if a.weights:
        state = torch.load(a.weights, map_location="cpu")
        for key in ("params_ema", "params", "state_dict"):
            if isinstance(state, dict) and isinstance(state.get(key), dict):
                state = state[key]
                break
        model.load_state_dict({k.removeprefix("module."): v for k, v in state.items()})
    import os
    m = export(model, a.output, name=a.name or os.path.splitext(os.path.basename(a.output))[0],
               architecture=a.architecture, halo=a.halo)
    print(f"wrote {a.output}: {m['name']} x{m['scale']}")
