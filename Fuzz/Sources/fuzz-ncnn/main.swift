import FuzzDriver
import Inference

// libFuzzer harness: one input is an ncnn `.param`, a NUL byte, then the `.bin` (see `Probe.ncnn`).
fuzz { _ = Probe.ncnn($0) }
