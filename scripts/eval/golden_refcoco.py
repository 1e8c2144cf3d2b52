"""Golden values for the RefCOCO scorer, written under eval/src/test/resources/eval/:
  golden/masks.json.gz   pycocotools masks: every fixture annotation (COCO.annToMask), 400 random
                         polygon sets (frPyObjects + merge + decode) and 100 compressed RLE strings;
  golden/resize_iou.json Pillow Image.resize(BILINEAR) of mode-F 64x64 maps to many sizes, and
                         big_vision's IoU logic restated with numpy + Pillow (incl. the table of
                         docs/eval-protocols.md#known-answers);
  golden/vqvae.json + golden/vqvae_full.f32
                         the VQ-VAE decoder with hash weights (common.hash_weights; real widths 128..16,
                         codebook width 64) on 4 code sequences, by PyTorch (conv2d/conv_transpose2d on the
                         state_dict layout) and cross-checked with a flax module built as big_vision's;
  refcoco/vae-oid.npz    a small-width decoder in the npz/state_dict format (for the loader path), and
  refcoco/predictions_*.jsonl + refcoco/expected.json
                         end-to-end expected mIoU of `eval score refcoco` on the fixture.
Run after make_fixtures.py, with the Pillow of 2024 (horizontal pass always first; Pillow 13 may run
the vertical pass first):
  python3 -m venv --system-site-packages /tmp/pil10 && /tmp/pil10/bin/pip install pillow==10.3.0
  /tmp/pil10/bin/python scripts/eval/golden_refcoco.py          (numpy, pycocotools, torch, jax, flax)
and, for the Pillow-13 pass order, with a Pillow 13 interpreter:
  python3 scripts/eval/golden_refcoco.py --resize-only resize_pillow13.json.gz"""
import base64
import gzip
import json
import os
import pickle
import random
import re
from typing import TYPE_CHECKING

import numpy as np

from common import RES, hash_weights, out

if TYPE_CHECKING:
    from pycocotools.coco import COCO


def b64bits(mask: np.ndarray) -> str:
    return base64.b64encode(np.packbits(np.asarray(mask, bool).reshape(-1)).tobytes()).decode()


def b64f32(a: np.ndarray) -> str:
    return base64.b64encode(np.asarray(a, '<f4').tobytes()).decode()


# ------------------------------------------------------------------------------------------ masks
def masks() -> None:
    import pycocotools.mask as mask_util
    from pycocotools.coco import COCO

    coco = COCO(os.path.join(RES, 'refcoco', 'annotations', 'instances_train2017.json'))
    fixture = []
    for ann in coco.dataset['annotations']:
        if ann['image_id'] not in coco.imgs:
            continue
        img = coco.imgs[ann['image_id']]
        m = coco.annToMask(ann)
        fixture.append(dict(ann_id=ann['id'], h=img['height'], w=img['width'], area=int(m.sum()), bits=b64bits(m)))
    rng = random.Random(31)
    polys = []
    for t in range(400):
        h, w = rng.randint(1, 70), rng.randint(1, 70)
        sets = []
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            k = rng.randint(3, 12)
            pts = []
            for _ in range(k):
                kind = rng.random()
                if kind < 0.3:
                    x, y = rng.randint(-3, w + 3), rng.randint(-3, h + 3)
                elif kind < 0.5:
                    x, y = rng.randint(-2, w + 2) + 0.5, rng.randint(-2, h + 2) + 0.5
                elif kind < 0.6:
                    x, y = rng.randint(0, w * 10) / 10 - 0.05, rng.randint(0, h * 10) / 10 + 0.05
                else:
                    x, y = rng.uniform(-5, w + 5), rng.uniform(-5, h + 5)
                pts += [x, y]
                if rng.random() < 0.05:
                    pts += [x, y]  # duplicate vertex
            sets.append(pts)
        if t % 40 == 1:
            sets[0].append(0.5)  # odd length: the last number is ignored
        if t % 40 == 2:
            sets.append([1.0, 1.0, 3.0, 3.0])  # a later 2-point "polygon"
        rles = mask_util.frPyObjects(sets, h, w)
        m = mask_util.decode(mask_util.merge(rles))
        polys.append(dict(h=h, w=w, polygons=sets, area=int(m.sum()), bits=b64bits(m)))
    rles = []
    nrng = np.random.default_rng(5)
    for t in range(100):
        h, w = int(nrng.integers(1, 90)), int(nrng.integers(1, 90))
        m = nrng.random((h, w)) < nrng.random()
        if t % 3 == 0:
            m[:] = False
            m[h // 4: 3 * h // 4 + 1, w // 5: w - 1] = True
        r = mask_util.encode(np.asfortranarray(m.astype(np.uint8)))
        rles.append(dict(h=h, w=w, counts=r['counts'].decode('ascii'), bits=b64bits(mask_util.decode(r))))
    with gzip.open(out('golden', 'masks.json.gz'), 'wt') as f:
        json.dump(dict(fixture=fixture, polygons=polys, rle_strings=rles), f)
    print('masks:', len(fixture), 'fixture annotations,', len(polys), 'polygon sets,', len(rles), 'RLE strings')


# ------------------------------------------------------------------------------------ resize + IoU
def map_a() -> np.ndarray:
    """The decoder stand-in of docs/eval-protocols.md#known-answers:
    1 - ((i-31.5)/28)^2 - ((j-31.5)/30)^2, in float64 then float32."""
    i, j = np.meshgrid(np.arange(64.0), np.arange(64.0), indexing='ij')
    return (1 - ((i - 31.5) / 28) ** 2 - ((j - 31.5) / 30) ** 2).astype(np.float32)


def map_b() -> np.ndarray:
    """A wiggly map with many sign changes: sin(0.37 i)·cos(0.23 j) + 0.3·sin(0.11 i·j), float64 then float32."""
    i, j = np.meshgrid(np.arange(64.0), np.arange(64.0), indexing='ij')
    return (np.sin(0.37 * i) * np.cos(0.23 * j) + 0.3 * np.sin(0.11 * i * j)).astype(np.float32)


def pillow_resize(m: np.ndarray, w: int, h: int) -> np.ndarray:
    import PIL.Image

    return np.asarray(PIL.Image.fromarray(m).resize((w, h), resample=PIL.Image.BILINEAR))


def iou_reference(box_tokens: list[int], m64: np.ndarray, gt: np.ndarray) -> dict:
    """big_vision's segmentation evaluator for one valid prediction, restated."""
    h, w = gt.shape
    y1, x1, y2, x2 = (np.asarray(box_tokens) / 1023).tolist()
    y1, x1, y2, x2 = map(int, (y1 * h, x1 * w, y2 * h, x2 * w))
    if x2 <= x1 or y2 <= y1:
        return dict(pixel_box=[y1, x1, y2, x2], iou=0.0, pred=None, invalid=True)
    mi = pillow_resize(m64, x2 - x1, y2 - y1) > 0.0
    inter = (gt[y1:y2, x1:x2] & mi).sum()
    return dict(pixel_box=[y1, x1, y2, x2], iou=float(inter / (gt.sum() + mi.sum() - inter)), pred=int(mi.sum()),
                invalid=False)


SIZES = [(60, 50), (1, 1), (1, 64), (64, 1), (7, 3), (20, 100), (96, 80), (65, 63), (200, 33), (3, 200),
             (64, 64), (31, 47), (64, 10), (300, 2), (2, 300), (100, 20), (80, 96), (63, 65)]


def resized_maps() -> tuple[dict[str, np.ndarray], list[dict]]:
    maps = dict(a=map_a(), b=map_b())
    resized = []
    for name, m in maps.items():
        for w, h in SIZES:
            resized.append(dict(map=name, w=w, h=h, values=b64f32(pillow_resize(m, w, h))))
    return maps, resized


def resize_iou() -> None:
    import PIL
    from pycocotools.coco import COCO

    maps, resized = resized_maps()
    gt = np.zeros((100, 120), bool)
    gt[20:70, 30:90] = True
    spec = []
    for box in ([205, 256, 716, 768], [0, 0, 1023, 1023], [400, 400, 600, 650], [300, 300, 310, 305]):
        r = iou_reference(box, maps['a'], gt)
        spec.append(dict(box=box, **r))
    rng = random.Random(11)
    randoms = []
    coco_masks = []
    coco = COCO(os.path.join(RES, 'refcoco', 'annotations', 'instances_train2017.json'))
    for ann in coco.dataset['annotations']:
        if ann['image_id'] in coco.imgs:
            coco_masks.append((ann['id'], coco.annToMask(ann).astype(bool)))
    for t in range(300):
        ann_id, g = coco_masks[t % len(coco_masks)]
        y1, x1 = rng.randint(0, 1000), rng.randint(0, 1000)
        y2, x2 = rng.randint(y1 + 1, 1023), rng.randint(x1 + 1, 1023)
        mname = 'a' if t % 2 else 'b'
        r = iou_reference([y1, x1, y2, x2], maps[mname], g)
        randoms.append(dict(ann_id=ann_id, map=mname, box=[y1, x1, y2, x2], **r))
    with gzip.open(out('golden', 'resize_iou.json.gz'), 'wt') as f:
        json.dump(dict(pillow=PIL.__version__, maps=dict(a=b64f32(maps['a']), b=b64f32(maps['b'])), resized=resized,
                       spec_table=spec,
                       random_boxes=randoms), f)
    print('spec table:', [(s['pixel_box'], s['pred'], s['iou']) for s in spec])


# ----------------------------------------------------------------------------------------- VQ-VAE
def vae_layout(dim: int, widths: tuple[int, ...]) -> list[tuple[str, tuple[int, ...], int]]:
    """(key, shape, fan_in) in a fixed order; widths = channels after decoder.0 and after each up-conv.
    Values are hash_weights(seed_base + position + 1, size, sqrt(6 / fan_in))."""
    c0, u1, u2, u3, u4 = widths
    keys = [('_vq_vae._embedding', (128, dim), 1)]

    def conv(name: str, o: int, i: int, k: int) -> None:
        keys.append((name + '.weight', (o, i, k, k), i * k * k))
        keys.append((name + '.bias', (o,), 60000))

    def tconv(name: str, i: int, o: int) -> None:
        keys.append((name + '.weight', (i, o, 4, 4), i * 4))
        keys.append((name + '.bias', (o,), 60000))

    conv('decoder.0', c0, dim, 1)
    for b in (2, 3):
        conv(f'decoder.{b}.net.0', c0, c0, 3)
        conv(f'decoder.{b}.net.2', c0, c0, 3)
        conv(f'decoder.{b}.net.4', c0, c0, 1)
    tconv('decoder.4', c0, u1)
    tconv('decoder.6', u1, u2)
    tconv('decoder.8', u2, u3)
    tconv('decoder.10', u3, u4)
    conv('decoder.12', 1, u4, 1)
    keys[-2] = (keys[-2][0], keys[-2][1], u4 * 100)  # a smaller last layer keeps outputs near [-1, 1]
    return keys


def vae_weights(dim: int, widths: tuple[int, ...], seed_base: int) -> dict[str, np.ndarray]:
    params = {}
    for k, (key, shape, fan_in) in enumerate(vae_layout(dim, widths)):
        n = int(np.prod(shape))
        params[key] = hash_weights(seed_base + k + 1, n, np.sqrt(6.0 / fan_in)).reshape(shape)
    return params


def torch_decode(params: dict[str, np.ndarray], codes: list[int]) -> np.ndarray:
    import torch
    import torch.nn.functional as F
    t = {k: torch.from_numpy(v) for k, v in params.items()}
    codes = torch.as_tensor(np.asarray(codes, np.int64))
    x = t['_vq_vae._embedding'][codes].reshape(1, 4, 4, -1).permute(0, 3, 1, 2)
    x = F.relu(F.conv2d(x, t['decoder.0.weight'], t['decoder.0.bias']))
    for b in (2, 3):
        p = f'decoder.{b}.net.'
        y = F.relu(F.conv2d(x, t[p + '0.weight'], t[p + '0.bias'], padding=1))
        y = F.relu(F.conv2d(y, t[p + '2.weight'], t[p + '2.bias'], padding=1))
        x = F.conv2d(y, t[p + '4.weight'], t[p + '4.bias']) + x
    for n in (4, 6, 8, 10):
        x = F.relu(F.conv_transpose2d(x, t[f'decoder.{n}.weight'], t[f'decoder.{n}.bias'], stride=2, padding=1))
    x = F.conv2d(x, t['decoder.12.weight'], t['decoder.12.bias'])
    return x[0, 0].numpy().astype(np.float32)


def flax_decode(params: dict[str, np.ndarray], codes: list[int]) -> np.ndarray:
    """The decoder as big_vision builds it in flax (NHWC, kernels transposed to HWIO, ConvTranspose with
    padding 2 and transpose_kernel) — written here to check that the PyTorch reading is the same function."""
    import flax.linen as nn
    import jax
    import jax.numpy as jnp

    class Res(nn.Module):
        @nn.compact
        def __call__(self, x: jax.Array) -> jax.Array:
            y = nn.relu(nn.Conv(x.shape[-1], (3, 3), padding=1)(x))
            y = nn.relu(nn.Conv(x.shape[-1], (3, 3), padding=1)(y))
            return nn.Conv(x.shape[-1], (1, 1), padding=0)(y) + x

    chans = [params[f'decoder.{n}.weight'].shape[1] for n in (4, 6, 8, 10)]
    c0 = params['decoder.0.weight'].shape[0]

    class Dec(nn.Module):
        @nn.compact
        def __call__(self, x: jax.Array) -> jax.Array:
            x = nn.relu(nn.Conv(c0, (1, 1), padding=0)(x))
            x = Res()(x)
            x = Res()(x)
            for c in chans:
                x = nn.relu(nn.ConvTranspose(c, (4, 4), strides=(2, 2), padding=2, transpose_kernel=True)(x))
            return nn.Conv(1, (1, 1), padding=0)(x)

    def cv(name: str) -> dict[str, jax.Array]:
        return {'kernel': jnp.asarray(np.transpose(params[name + '.weight'], (2, 3, 1, 0))),
                'bias': jnp.asarray(params[name + '.bias'])}

    p = {'Conv_0': cv('decoder.0'),
         'Res_0': {'Conv_0': cv('decoder.2.net.0'), 'Conv_1': cv('decoder.2.net.2'), 'Conv_2': cv('decoder.2.net.4')},
         'Res_1': {'Conv_0': cv('decoder.3.net.0'), 'Conv_1': cv('decoder.3.net.2'), 'Conv_2': cv('decoder.3.net.4')},
         'ConvTranspose_0': cv('decoder.4'), 'ConvTranspose_1': cv('decoder.6'),
         'ConvTranspose_2': cv('decoder.8'), 'ConvTranspose_3': cv('decoder.10'), 'Conv_1': cv('decoder.12')}
    x = jnp.take(jnp.asarray(params['_vq_vae._embedding']), jnp.asarray(codes), axis=0).reshape(1, 4, 4, -1)
    y = Dec().apply({'params': p}, x)
    return np.asarray(jax.device_get(y))[0, :, :, 0]


CODES = [[0] * 16, list(range(16)), [127 - 8 * (k % 16) for k in range(16)],
         [int(v) for v in np.random.default_rng(3).integers(0, 128, 16)]]
FULL = dict(dim=64, widths=(128, 128, 64, 32, 16), seed_base=0)
SMALL = dict(dim=8, widths=(16, 16, 8, 8, 4), seed_base=100)


def vqvae() -> dict[str, np.ndarray]:
    params = vae_weights(**FULL)
    outs, diffs = [], []
    for c in CODES:
        a = torch_decode(params, c)
        b = flax_decode(params, c)
        diffs.append(float(np.abs(a - b).max()))
        outs.append(a)
    with open(out('golden', 'vqvae_full.f32'), 'wb') as f:
        f.write(np.stack(outs).astype('<f4').tobytes())
    small = vae_weights(**SMALL)
    # a few encoder-like extra keys the decoder must ignore
    small['encoder.0.weight'] = np.zeros((2, 1, 3, 3), np.float32)
    small['decoder.12.bias'] = np.array([0.15], np.float32)  # shrunken masks keep some foreground
    np.savez(out('refcoco', 'vae-oid.npz'), **small)
    small_maps = [torch_decode(small, c) for c in CODES]
    small_out = [b64f32(m) for m in small_maps]
    print('small decoder: positive px', [int((m > 0).sum()) for m in small_maps],
          'max |out|', [float(np.abs(m).max()) for m in small_maps])
    meta = dict(full=dict(FULL, codes=CODES, max_abs=[float(np.abs(o).max()) for o in outs],
                          positive=[int((o > 0).sum()) for o in outs], torch_vs_flax_max_abs_diff=diffs),
                small=dict(SMALL, codes=CODES, outputs=small_out),
                layout_full=[[k, list(s), f] for k, s, f in vae_layout(FULL['dim'], FULL['widths'])],
                layout_small=[[k, list(s), f] for k, s, f in vae_layout(SMALL['dim'], SMALL['widths'])])
    with open(out('golden', 'vqvae.json'), 'w') as f:
        json.dump(meta, f)
    print('vqvae torch vs flax max |diff|:', diffs, 'max |out|:', meta['full']['max_abs'],
          'positive px:', meta['full']['positive'])
    return small


# ---------------------------------------------------------------------------------- end to end
def flat_examples(dataset: str, fname: str, split: str, coco: 'COCO') -> list[tuple[int, str, dict]]:
    """big_vision's ref_coco_bv flat split, restated (pickle.load as big_vision does)."""
    refs = pickle.load(open(os.path.join(RES, 'refcoco', dataset, fname), 'rb'))
    refs = [r for r in refs if r['split'] == split]
    img_ids = {r['image_id'] for r in refs}
    ann_to = {}
    for r in refs:
        for s in r['sentences']:
            ann_to.setdefault(r['ann_id'], []).append((s['sent_id'], s['sent']))
    ex = []
    for img_id in coco.getImgIds():
        if img_id not in img_ids:
            continue
        for ann in coco.loadAnns(coco.getAnnIds(img_id)):
            for sid, sent in ann_to.get(ann['id'], []):
                ex.append((sid, sent, ann))
    return ex


def answer_for(k: int, rng: random.Random, ann: dict | None = None, img: dict | None = None) -> tuple[str, str]:
    """Prediction text k of a fixture: mostly valid, with every kind of invalid output mixed in."""
    def loc(v: int) -> str:
        return f'<loc{v:04d}>'

    def seg(v: int) -> str:
        return f'<seg{v:03d}>'
    codes = [rng.randint(0, 127) for _ in range(16)]
    y1, x1 = rng.randint(0, 700), rng.randint(0, 700)
    y2, x2 = rng.randint(y1 + 1, 1023), rng.randint(x1 + 1, 1023)
    kind = k % 9
    if kind in (0, 4) and ann is not None:  # the ground-truth box, as the training encoder wrote it
        x, y, w, h = ann['bbox']
        y1, x1 = round(y / img['height'] * 1023), round(x / img['width'] * 1023)
        y2, x2 = round((y + h) / img['height'] * 1023), round((x + w) / img['width'] * 1023)
        if kind == 4:
            y2 = min(1023, y2 + (y2 - y1) // 3)
    good = ''.join(loc(v) for v in (y1, x1, y2, x2)) + ''.join(seg(c) for c in codes)
    if kind == 3:
        return good + ' leftover text <loc0001>', 'valid+trailing'
    if kind == 5:
        return ''.join(loc(v) for v in (y2, x1, y1, x2)) + ''.join(seg(c) for c in codes), 'y2<=y1'
    if kind == 6:
        return good[:-8], 'only 19 tokens'
    if kind == 7:
        return ''.join(loc(v) for v in (300, 300, 301, 900)) + ''.join(seg(c) for c in codes), 'maybe empty after int()'
    if kind == 8 and k % 2 == 0:
        return ' ' + good, 'leading space'
    return good, 'valid'


def end_to_end(small: dict[str, np.ndarray]) -> None:
    from pycocotools.coco import COCO

    coco = COCO(os.path.join(RES, 'refcoco', 'annotations', 'instances_train2017.json'))
    rng = random.Random(2024)
    expected = {}
    for dataset, fname in (('refcoco', 'refs(unc).p'), ('refcoco+', 'refs(unc).p'), ('refcocog', 'refs(umd).p')):
        for split in (['val', 'testA', 'testB'] if dataset != 'refcocog' else ['val', 'test']):
            ex = flat_examples(dataset, fname, split, coco)
            if not ex:
                continue
            lines, ious, invalid, box_ious = [], [], 0, []
            for k, (sid, _sent, ann) in enumerate(ex):
                text, kind = answer_for(k + len(dataset), rng, ann, coco.imgs[ann['image_id']])
                line = dict(id=sid, answer=text, note=kind)
                if k == 1:
                    line['tokens'] = [t + '>' for t in text.split('>')[:-1]]  # piece list: used instead of text
                    line['answer'] = 'text that does not parse'
                lines.append(line)
                gt = coco.annToMask(ann).astype(bool)
                toks = parse_reference(text)
                box_ious.append(box_iou_reference(toks, ann, coco.imgs[ann['image_id']]))
                if toks is None:
                    ious.append(0.0)
                    invalid += 1
                    continue
                m64 = torch_decode(small, toks[4:])
                r = iou_reference(toks[:4], m64, gt)
                ious.append(r['iou'])
                invalid += int(r['invalid'])
            name = f'predictions_{dataset}_{split}.jsonl'
            with open(out('refcoco', name), 'w') as f:
                for row in lines[::-1]:
                    f.write(json.dumps(row) + '\n')
            expected[f'{dataset}/{split}'] = dict(file=name, miou=100 * float(np.mean(ious)), n=len(ious),
                                                  invalid=invalid, sent_ids=[e[0] for e in ex],
                                                  sents=[e[1] for e in ex], ann_ids=[e[2]['id'] for e in ex],
                                                  ious=ious, box_ious=box_ious,
                                                  boxacc_05=100 * float(np.mean([0.5 <= b for b in box_ious])),
                                                  boxacc_075=100 * float(np.mean([0.75 <= b for b in box_ious])))
    with open(out('refcoco', 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
    for k, v in expected.items():
        print(k, 'n', v['n'], 'invalid', v['invalid'], 'miou', v['miou'])


def box_iou_reference(toks: list[int] | None, ann: dict, img: dict) -> float:
    """big_vision's box IoU in [0, 1] coordinates (invalid outputs count as the all-zero box), restated."""
    bb = np.asarray(toks[:4] if toks is not None else [0, 0, 0, 0]) / 1023
    x, y, w, h = ann['bbox']
    gt = (y / img['height'], x / img['width'], (y + h) / img['height'], (x + w) / img['width'])

    def area(y1: float, x1: float, y2: float, x2: float) -> float:
        return max(x2 - x1, 0.0) * max(y2 - y1, 0.0)
    y1, x1, y2, x2 = bb
    inter = (max(y1, gt[0]), max(x1, gt[1]), min(y2, gt[2]), min(x2, gt[3]))
    return float(area(*inter) / (area(*bb) + area(*gt) - area(*inter)))


def parse_reference(text: str) -> list[int] | None:
    """The first 20 tokens of the decoded text as big_vision reads the ids: 4 loc then 16 seg, else None."""
    vals = []
    pos = 0
    for i in range(20):
        m = re.match(r'<loc(\d{4})>' if i < 4 else r'<seg(\d{3})>', text[pos:])
        if not m:
            return None
        vals.append(int(m.group(1)))
        pos += m.end()
    t = vals
    if not (all(0 <= v <= 1023 for v in t[:4]) and all(0 <= v <= 127 for v in t[4:]) and t[2] > t[0] and t[3] > t[1]):
        return None
    return t


if __name__ == '__main__':
    import sys

    import PIL
    if len(sys.argv) == 3 and sys.argv[1] == '--resize-only':
        _, resized = resized_maps()
        with gzip.open(out('golden', sys.argv[2]), 'wt') as f:
            json.dump(dict(pillow=PIL.__version__, resized=resized), f)
        print('resized maps with Pillow', PIL.__version__)
        sys.exit(0)
    assert tuple(int(v) for v in PIL.__version__.split('.')[:2]) < (11, 1), 'run with Pillow <= 11.0 (see docstring)'
    masks()
    resize_iou()
    small = vqvae()
    end_to_end(small)
