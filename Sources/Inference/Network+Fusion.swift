import Foundation

/// Rewrites done once at load so each step does more per pass over memory.
extension Network {
  /// Convolutions get their fast-path weights, a PReLU that alone reads a convolution's result runs
  /// inside the convolution's epilogue, and a concatenation only a Winograd convolution reads is
  /// read by it part by part instead of being built.
  static func fused(_ steps: [Step], output: Int) -> [Step] {
    let steps = prepared(steps)
    var uses = [Int: Int]()
    for step in steps { for i in step.inputs { uses[i, default: 0] += 1 } }
    var result: [Step] = []
    for step in steps {
      if case .prelu(let slopes) = step.kernel, let last = result.last, case .conv(var conv) = last.kernel,
        step.inputs == [last.output], uses[last.output] == 1, last.output != output,
        conv.activation == .none, conv.slopes == nil, slopes.count == 1 || slopes.count == conv.outChannels
      {
        conv.slopes = slopes.count == 1 ? [Float](repeating: slopes[0], count: conv.outChannels) : slopes
        result[result.count - 1] = Step(kernel: .conv(conv), inputs: last.inputs, output: step.output)
        continue
      }
      if case .conv(let conv) = step.kernel {
        // The Winograd path copies its input anyway, so it reads a concatenation's parts directly.
        if conv.winogradWeight != nil, let last = result.last, case .concat = last.kernel, step.inputs == [last.output],
          uses[last.output] == 1, last.output != output
        {
          result[result.count - 1] = Step(kernel: .conv(conv), inputs: last.inputs, output: step.output)
          continue
        }
        result.append(Step(kernel: .conv(conv), inputs: step.inputs, output: step.output))
      } else {
        result.append(step)
      }
    }
    return result
  }

  /// `steps` with every convolution prepared, all cores sharing the work: the Winograd weight
  /// transforms are most of the time a model takes to load.
  static func prepared(_ steps: [Step]) -> [Step] {
    var steps = steps
    let convs = steps.indices.filter { if case .conv = steps[$0].kernel { true } else { false } }
    steps.withUnsafeMutableBufferPointer { s in
      Parallel.forEach(convs.count, threads: ProcessInfo.processInfo.activeProcessorCount) { i, _ in
        guard case .conv(var conv) = s[convs[i]].kernel else { return }
        conv.prepare()
        s[convs[i]].kernel = .conv(conv)
      }
    }
    return steps
  }
}
