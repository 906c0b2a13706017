import FuzzDriver
import Inference

// libFuzzer harness: one input is one `.srg` file (see `Probe.srg`).
fuzz { _ = Probe.srg($0) }
