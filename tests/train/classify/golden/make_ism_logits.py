# Golden values for train/classify/ism_logits (docs/METHOD.md#10-classification), from PyTorch 1.13:
#   z = f W^T + b,  p_c = W_c + b_c,  d_c = |f|^2 + |p_c|^2 - 2 <f, p_c>,  d_u = |u|^2,
#   z' = 1 - (1 - z) exp(-d_u / (5 d_c)),  loss = CE(z', y)
# plus lam CE(z', y) + (1 - lam) CE(z', y[perm]) (the mixing loss), in float64
# and float32, with the gradients of both losses by f, u, W, b.
# Run: python3 make_ism_logits.py  (writes ism_logits.json next to this file).
import json, os
import torch

def case(dtype, seed):
    g = torch.Generator().manual_seed(seed)
    n, f_dim, u_dim, c = 6, 5, 4, 3
    f = (torch.rand(n, f_dim, generator=g, dtype=torch.float64) * 2 - 1)
    u = torch.rand(n, u_dim, generator=g, dtype=torch.float64) * 0.8  # after the relu: >= 0
    w = (torch.rand(c, f_dim, generator=g, dtype=torch.float64) * 2 - 1) * 0.7
    b = (torch.rand(c, generator=g, dtype=torch.float64) * 2 - 1) * 0.3
    y = torch.tensor([0, 1, 2, 2, 1, 0])
    perm = torch.tensor([3, 0, 5, 1, 2, 4])
    lam = 0.3125
    out = {"inputs": {"f": f.flatten().tolist(), "u": u.flatten().tolist(), "w": w.flatten().tolist(),
                      "b": b.tolist()},
           "shapes": {"n": n, "f": f_dim, "u": u_dim, "c": c}, "labels": y.tolist(), "perm": perm.tolist(),
           "lam": lam}
    for name in ["plain", "mixed"]:
        leaves = [t.clone().to(dtype).requires_grad_(True) for t in (f, u, w, b)]
        lf, lu, lw, lb = leaves
        z = lf @ lw.t() + lb
        p = lw + lb[:, None]
        d = (lf * lf).sum(1, keepdim=True) + (p * p).sum(1)[None, :] - 2 * lf @ p.t()
        du = (lu * lu).sum(1, keepdim=True)
        zp = 1 - (1 - z) * torch.exp(-du / (5 * d))
        ce = torch.nn.functional.cross_entropy
        loss = ce(zp, y) if name == "plain" else lam * ce(zp, y) + (1 - lam) * ce(zp, y[perm])
        loss.backward()
        out[name] = {"ism_logits": zp.detach().double().flatten().tolist(), "loss": loss.item(),
                     "grad_f": lf.grad.double().flatten().tolist(), "grad_u": lu.grad.double().flatten().tolist(),
                     "grad_w": lw.grad.double().flatten().tolist(), "grad_b": lb.grad.double().tolist()}
    return out

golden = {"float64": case(torch.float64, 7), "float32": case(torch.float32, 7)}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "ism_logits.json"), "w") as fh:
    json.dump(golden, fh, indent=1)
