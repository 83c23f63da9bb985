#!/usr/bin/env python3
"""Makes tests/export/golden/onnx_resnet18.json: onnxruntime's outputs for the
ONNX file that tests/export/test_onnx_golden.cpp writes (an IDML ResNet-18
with the reproducible weights of tests/models/deterministic_fill.h, D = 32,
input 2 x 3 x 64 x 64, opset 17, dynamic batch).

    python3 scripts/dev/make_onnx_golden.py [BUILD_DIR]   # default: build

1. Runs BUILD_DIR/tests/export/test_export --gtest_filter=OnnxGolden.* with
   IDML_ONNX_GOLDEN_OUT set: the test writes model.onnx, input.npy and the
   SHA-256 of the file's graph there (it then passes or fails against the old
   golden; either is fine here).
2. Checks the file with the onnx package (checker with full_check, strict
   shape inference), runs it in onnxruntime with graph optimisations off (the
   golden) and on, and under every other opset the exporter writes (11 to 16:
   the header rewritten; the exporter's files differ only there, which
   tests/export/test_onnx_graph.cpp checks), and with a batch of 1; all must agree.
3. Writes the JSON.
A developer tool: the build and the tests never run Python.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDEN = os.path.join(ROOT, "tests", "export", "golden", "onnx_resnet18.json")
IR_FOR_OPSET = {11: 6, 12: 7, 13: 7, 14: 7, 15: 8, 16: 8, 17: 8}  # export/onnx_graph.h


def run(model_bytes, x, optimise):
    options = ort.SessionOptions()
    options.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL if optimise
                                        else ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    session = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    return session.run(["semantic", "uncertainty"], {"images": x})


def smallest_cosine(a, b):
    a, b = a.astype(np.float64), b.astype(np.float64)
    return float(np.min(np.sum(a * b, 1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)))


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
    test = os.path.join(build, "tests", "export", "test_export")
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([test, "--gtest_filter=OnnxGolden.*"], env=dict(os.environ, IDML_ONNX_GOLDEN_OUT=out),
                       stdout=subprocess.DEVNULL, check=False)
        path = os.path.join(out, "model.onnx")
        with open(path, "rb") as f:
            model_bytes = f.read()
        x = np.load(os.path.join(out, "input.npy"))
        with open(os.path.join(out, "graph_sha256.txt")) as f:
            graph_sha256 = f.read().strip()

    model = onnx.load_from_string(model_bytes)
    onnx.checker.check_model(model, full_check=True)
    onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    assert model.opset_import[0].version == 17, model.opset_import

    semantic, uncertainty = run(model_bytes, x, optimise=False)
    for name, (s, u) in {"optimised": run(model_bytes, x, True), "batch of 1": [
            np.concatenate(o) for o in zip(*[run(model_bytes, x[i:i + 1], False) for i in range(len(x))])]}.items():
        for ours, theirs in ((semantic, s), (uncertainty, u)):
            assert smallest_cosine(ours, theirs) > 0.999999, name
    for opset in range(11, 17):
        other = onnx.load_from_string(model_bytes)
        other.opset_import[0].version = opset
        other.ir_version = IR_FOR_OPSET[opset]
        onnx.checker.check_model(other, full_check=True)
        s, u = run(other.SerializeToString(), x, False)
        assert np.array_equal(s, semantic) and np.array_equal(u, uncertainty), f"opset {opset}"

    golden = {
        "made_by": "scripts/dev/make_onnx_golden.py",
        "onnxruntime": ort.__version__,
        "onnx": onnx.__version__,
        "graph_sha256": graph_sha256,
        "opset": 17,
        "input_shape": list(x.shape),
        "semantic": [[float(v) for v in row] for row in semantic],
        "uncertainty": [[float(v) for v in row] for row in uncertainty],
    }
    with open(GOLDEN, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(f"wrote {GOLDEN}: graph {graph_sha256[:16]}..., onnxruntime {ort.__version__}, "
          f"|semantic| {np.linalg.norm(semantic, axis=1)}")


if __name__ == "__main__":
    main()
