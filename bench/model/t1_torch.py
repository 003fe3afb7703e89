#!/usr/bin/python3
"""T1 reference workload in PyTorch: the peer of Tandem's Transformer in `bench/run model`.

T1 (defined in BENCHMARKS.md, "Model: T1 (Transformer) against torch.nn.Transformer") is R1's
training workload (../../../shared/anchors/R1.md: the same synthetic batches, vocabularies,
loss, clipping and Adam) with the model replaced by a small pre-norm NMT Transformer:
d_model 256, 4 heads, feed-forward 1024, 3 encoder and 3 decoder layers, sinusoidal
positions, untied output layer. Written the way a competent PyTorch user would, on
torch.nn.Transformer (norm_first=True, batch_first=True).

Dropout (0.1) sits where Tandem's Transformer has it (model/README.md "Transformer"): on the
embedded inputs and on each sublayer's output before the residual add; nn.Transformer's other
two sites (attention weights, inside the feed-forward block) are switched off, so both sides
compute the same function.

Run with Debian's python3-torch (/usr/bin/python3), not the python3 first on PATH:
  /usr/bin/python3 t1_torch.py --threads 1 --json     # the measurement (one JSON line)
  /usr/bin/python3 t1_torch.py --selftest             # known answers + loss decreases
"""
import argparse, json, math, os, platform, resource, statistics, sys, time

if __name__ == "__main__":
    # Thread pools (OpenMP, OpenBLAS) read these once, when torch is loaded: set them first.
    _n = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
    for _k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_k] = _n

import torch
import torch.nn as nn
import torch.nn.functional as F

# ---- T1 constants ----------------------------------------------------------------------------
V = 8000                                  # source and target vocabulary (R1's)
E, HEADS, FF, ENC_LAYERS, DEC_LAYERS = 256, 4, 1024, 3, 3
PAD, BOS, EOS, FIRST = 0, 1, 2, 4         # ids 0..3 reserved; data ids in [4, V)
BATCH, LENGTHS, TGT_EXTRA = 64, (12, 20, 28, 36, 44), 2
DROPOUT, SMOOTHING, LR, BETAS, CLIP = 0.1, 0.1, 3e-4, (0.9, 0.98), 1.0
# Embeddings 2 V E; per encoder layer 4E^2+4E (attention) + 2EF+F+E (FFN) + 4E (2 norms);
# per decoder layer one attention and one norm more; final norms 4E; output layer V E + V.
N_PARAMS = 11_682_624                     # checked by --selftest and by tandem_r1_bench

# ---- data (R1.md section 2): a 64-bit LCG, no files --------------------------------------------
LCG_A, LCG_C, MASK64 = 6364136223846793005, 1442695040888963407, (1 << 64) - 1


def make_batch(index, stream=0):
    """Batch `index` of data stream `stream`: (src [B,S], tgt_in [B,T], tgt_out [B,T]) int64,
    S = LENGTHS[index % 5], T = S + 2; sources of all rows drawn first, then targets."""
    S = LENGTHS[index % len(LENGTHS)]
    T = S + TGT_EXTRA
    state = (stream << 32) + index

    def draw():
        nonlocal state
        state = (state * LCG_A + LCG_C) & MASK64
        return FIRST + (state >> 33) % (V - FIRST)

    src = [[draw() for _ in range(S - 1)] + [EOS] for _ in range(BATCH)]
    tgt = [[draw() for _ in range(T - 1)] + [EOS] for _ in range(BATCH)]
    tgt_out = torch.tensor(tgt)
    tgt_in = torch.cat([torch.full((BATCH, 1), BOS), tgt_out[:, :-1]], dim=1)
    return torch.tensor(src), tgt_in, tgt_out


def sinusoid(length, d):
    """PE(p, 2i) = sin(p / 10000^(2i/d)), PE(p, 2i+1) = cos(p / 10000^(2i/d)): [length, d]."""
    pos = torch.arange(length, dtype=torch.float64).unsqueeze(1)
    freq = torch.exp(torch.arange(0, d, 2, dtype=torch.float64) * (-math.log(10000.0) / d))
    pe = torch.zeros(length, d, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(pos * freq)
    pe[:, 1::2] = torch.cos(pos * freq)
    return pe.float()


# ---- model -------------------------------------------------------------------------------------
class T1(nn.Module):
    def __init__(self):
        super().__init__()
        self.src_emb = nn.Embedding(V, E)
        self.tgt_emb = nn.Embedding(V, E)
        for emb in (self.src_emb, self.tgt_emb):          # N(0, E^-1/2), then scaled by sqrt E
            nn.init.normal_(emb.weight, 0.0, E ** -0.5)
        # Xavier-uniform weights (nn.Transformer's own _reset_parameters), biases zeroed.
        self.transformer = nn.Transformer(
            d_model=E, nhead=HEADS, num_encoder_layers=ENC_LAYERS,
            num_decoder_layers=DEC_LAYERS, dim_feedforward=FF, dropout=DROPOUT,
            batch_first=True, norm_first=True)
        with torch.no_grad():
            for name, p in self.transformer.named_parameters():
                if name.endswith("bias") and "norm" not in name:
                    p.zero_()
        for layer in list(self.transformer.encoder.layers) + list(self.transformer.decoder.layers):
            layer.self_attn.dropout = 0.0                 # no dropout on attention weights
            layer.dropout = nn.Identity()                 # none inside the feed-forward block
            if hasattr(layer, "multihead_attn"):
                layer.multihead_attn.dropout = 0.0
        self.out = nn.Linear(E, V)                        # U(-1/sqrt E, 1/sqrt E), untied
        self.drop = nn.Dropout(DROPOUT)
        self.register_buffer("pe", sinusoid(256, E), persistent=False)

    def embed(self, emb, ids):
        return self.drop(emb(ids) * math.sqrt(E) + self.pe[: ids.size(1)])

    def forward(self, src, tgt_in):
        T = tgt_in.size(1)
        causal = nn.Transformer.generate_square_subsequent_mask(T)  # -inf above the diagonal
        h = self.transformer(self.embed(self.src_emb, src), self.embed(self.tgt_emb, tgt_in),
                             tgt_mask=causal)            # [B, T, E], final norms included
        return self.out(h)                               # [B, T, V]


def loss_fn(logits, tgt_out):
    """Label-smoothed cross-entropy summed over target tokens / number of target tokens."""
    ntok = (tgt_out != PAD).sum()
    return F.cross_entropy(logits.reshape(-1, V), tgt_out.reshape(-1), ignore_index=PAD,
                           label_smoothing=SMOOTHING, reduction="sum") / ntok


def make_optimizer(model):
    return torch.optim.Adam(model.parameters(), lr=LR, betas=BETAS)


def train_step(model, opt, batch):
    src, tgt_in, tgt_out = batch
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(model(src, tgt_in), tgt_out)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
    opt.step()
    return loss.item()


def step_flops(S, T, B=BATCH):
    """Matmul FLOPs of one training step: forward matmuls x3 (backward ~ 2x forward)."""
    mm = lambda m, k, n: 2 * m * k * n
    enc = mm(B * S, E, 3 * E) + 2 * B * mm(S, E, S) + mm(B * S, E, E) + 2 * mm(B * S, E, FF)
    dec = (mm(B * T, E, 3 * E) + 2 * B * mm(T, E, T) + mm(B * T, E, E)     # self-attention
           + mm(B * T, E, E) + mm(B * S, E, 2 * E) + 2 * B * mm(T, E, S)   # cross-attention
           + mm(B * T, E, E) + 2 * mm(B * T, E, FF))
    return 3 * (ENC_LAYERS * enc + DEC_LAYERS * dec + mm(B * T, E, V))


def timed_steps(model, opt, batches, warmup):
    losses = [train_step(model, opt, b) for b in batches[:warmup]]
    times, t_start, c_start = [], time.perf_counter(), time.process_time()
    for b in batches[warmup:]:
        t0 = time.perf_counter()
        losses.append(train_step(model, opt, b))
        times.append(time.perf_counter() - t0)
    return times, losses, time.perf_counter() - t_start, time.process_time() - c_start


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def current_rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return 0.0


def machine_facts():
    maps = open("/proc/self/maps").read().split()
    blas = sorted({os.path.realpath(p) for p in maps                 # the BLAS actually loaded
                   if "blas" in os.path.basename(p).lower() and ".so" in p})
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), platform.processor())
    return {"torch": torch.__version__, "python": platform.python_version(), "blas": blas,
            "cpu": cpu, "cpus": os.cpu_count(), "loadavg": [round(x, 2) for x in os.getloadavg()],
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def run_bench(args):
    torch.manual_seed(0)
    model = T1()
    model.train()
    opt = make_optimizer(model)
    batches = [make_batch(i) for i in range(args.warmup + args.steps)]  # not timed
    facts = machine_facts()
    rss_setup = current_rss_mb()             # model, optimizer, batches: before any step
    times, losses, wall, cpu = timed_steps(model, opt, batches, args.warmup)
    timed = batches[args.warmup:]
    tokens = sum(b[2].numel() for b in timed)
    flops = sum(step_flops(b[0].size(1), b[2].size(1)) for b in timed)
    res = {"workload": "T1", "impl": "pytorch", "threads": torch.get_num_threads(),
           "steps": args.steps, "warmup": args.warmup, "tokens_timed": tokens,
           "tokens_per_s": round(tokens / wall, 1),
           "ms_per_step_median": round(1e3 * statistics.median(times), 1),
           "peak_rss_mb": round(peak_rss_mb(), 1),
           "cpu_util": round(cpu / wall, 2), "rss_setup_mb": round(rss_setup, 1),
           "gflop_per_step_mean": round(flops / len(timed) / 1e9, 2),
           "achieved_gflops": round(flops / wall / 1e9, 2),
           "loss_first": round(losses[0], 4), "loss_last": round(losses[-1], 4), **facts}
    assert all(x == x and abs(x) < 1e4 for x in losses), "non-finite loss"
    print(json.dumps(res) if args.json else "\n".join(f"{k}: {v}" for k, v in res.items()))


def selftest():
    src, tgt_in, tgt_out = make_batch(0)
    assert src[0, :4].tolist() == [3827, 1680, 4225, 4256], src[0, :4].tolist()
    assert int(src.sum()) == 2825182 and int(tgt_out.sum()) == 3552651
    torch.manual_seed(0)
    model = T1()
    n = sum(p.numel() for p in model.parameters())
    assert n == N_PARAMS, n
    opt = make_optimizer(model)
    batch = tuple(x[:16] for x in make_batch(0))           # 16 pairs, S=12, T=14: quick
    losses = [train_step(model, opt, batch) for _ in range(20)]
    print("selftest losses:", " ".join(f"{x:.3f}" for x in losses))
    assert all(x == x and abs(x) < 1e4 for x in losses), "non-finite loss"
    assert 8.5 < losses[0] < 9.7, f"initial loss {losses[0]} not near ln(8000)=8.99"
    assert losses[-1] < losses[0] - 1.0, "loss did not decrease on a repeated batch"
    print(f"selftest OK: {n} parameters, loss {losses[0]:.3f} -> {losses[-1]:.3f}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--threads", type=int, default=1, help="intra-op threads (default 1)")
    p.add_argument("--steps", type=int, default=20, help="timed steps (default 20)")
    p.add_argument("--warmup", type=int, default=3, help="warm-up steps (default 3)")
    p.add_argument("--json", action="store_true", help="print one JSON line")
    p.add_argument("--selftest", action="store_true", help="check data, size, loss decrease")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    if args.selftest:
        selftest()
    else:
        run_bench(args)


if __name__ == "__main__":
    main()
