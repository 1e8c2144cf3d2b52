"""Writes the small fixture datasets of the eval tests, in the exact formats as distributed:
POPE JSON-Lines question files, MMVP Questions.csv + 'MMVP Images/', a Karpathy dataset_coco.json,
RefCOCO refs(unc).p / refs(umd).p Python-2 pickles + annotations/instances_train2017.json, plus a
predictions file per benchmark with the expected scores from reference rules written here in Python
(POPE: big_vision's exact match and AoiDragon/POPE evaluate.py; MMVP: the matcher of
docs/eval-protocols.md#mmvp-prompt-and-matching).
Run: python3 scripts/eval/make_fixtures.py   (numpy, Pillow, pycocotools)"""
import json
import os

import numpy as np

from common import Py2Unicode, out, py2_pickle


def tiny_jpeg(path: str, w: int, h: int, seed: int) -> None:
    import PIL.Image  # here, so the rules above import without Pillow

    rng = np.random.default_rng(seed)
    PIL.Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).save(path, quality=50)


def write_jsonl(path: str, rows: list[dict]) -> None:
    with open(path, 'w', encoding='utf-8') as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + '\n')


# ----------------------------------------------------------------------------------------- POPE
def pope_bigvision(answer: str, label: str) -> bool:
    return answer.lower() == label


def pope_metrics_bigvision(labels: list[str], answers: list[str]) -> dict[str, float]:
    n = len(labels)
    correct = sum(pope_bigvision(a, label) for a, label in zip(answers, labels, strict=True))
    yes = [a.lower() == 'yes' for a in answers]
    tp = sum(y and label == 'yes' for y, label in zip(yes, labels, strict=True))
    p = tp / sum(yes) if sum(yes) else 0.0
    r = tp / labels.count('yes') if labels.count('yes') else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return dict(accuracy=100 * correct / n, precision=100 * p, recall=100 * r, f1=100 * f1,
                yes_ratio=100 * sum(yes) / n, n=n, correct=correct)


def pope_metrics_original(labels: list[str], answers: list[str]) -> dict[str, float]:
    """AoiDragon/POPE evaluate.py, restated."""
    preds = []
    for text in answers:
        if text.find('.') != -1:
            text = text.split('.')[0]
        text = text.replace(',', '')
        words = text.split(' ')
        preds.append(0 if ('No' in words or 'not' in words or 'no' in words) else 1)
    gold = [0 if label == 'no' else 1 for label in labels]
    tp = sum(p == 1 and g == 1 for p, g in zip(preds, gold, strict=True))
    fp = sum(p == 1 and g == 0 for p, g in zip(preds, gold, strict=True))
    tn = sum(p == 0 and g == 0 for p, g in zip(preds, gold, strict=True))
    fn = sum(p == 0 and g == 1 for p, g in zip(preds, gold, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return dict(accuracy=100 * (tp + tn) / len(gold), precision=100 * precision, recall=100 * recall,
                f1=100 * f1, yes_ratio=100 * preds.count(1) / len(preds), n=len(gold), correct=tp + tn)


def make_pope() -> None:
    objs = ['dog', 'apple', 'skis', 'umbrella', 'car', 'person']
    images = ['COCO_val2014_000000310196.jpg', 'COCO_val2014_000000210789.jpg']
    answers_pool = ['yes', 'no', 'Yes', 'NO', 'Yes.', 'no,', '', 'yes ', ' no', 'Yes, there is a dog.',
                    'No, there is not.', 'There is no apple', 'I think so', 'nO', 'yES']
    expected = {}
    for si, split in enumerate(['random', 'popular', 'adversarial']):
        rows, preds = [], []
        qid = 0
        for im in images:
            for k, o in enumerate(objs):
                qid += 1
                label = 'yes' if k < 3 else 'no'
                art = 'an' if o[0] in 'aeiou' else 'a'
                rows.append(dict(question_id=qid, image=im, text=f'Is there {art} {o} in the image?', label=label))
                ans = answers_pool[(qid * 7 + si * 3) % len(answers_pool)]
                preds.append(dict(id=qid, answer=ans, extra_field=[1, 2]))
        write_jsonl(out('pope', f'coco_pope_{split}.json'), rows)
        write_jsonl(out('pope', f'predictions_{split}.jsonl'), preds[::-1])  # order must not matter
        labels = [r['label'] for r in rows]
        answers = [p['answer'] for p in preds]
        expected[split] = dict(big_vision=pope_metrics_bigvision(labels, answers),
                               original=pope_metrics_original(labels, answers))
    os.makedirs(out('pope', 'val2014', 'x'), exist_ok=True)
    os.rmdir(out('pope', 'val2014', 'x'))
    for i, im in enumerate(images):
        tiny_jpeg(out('pope', 'val2014', im), 16, 12, i)
    with open(out('pope', 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)


# ----------------------------------------------------------------------------------------- MMVP
def mmvp_correct(row: dict[str, str], answer: str) -> bool:
    """The MMVP matcher (docs/eval-protocols.md#mmvp-prompt-and-matching), restated: lower+strip;
    letter, (letter), option text, or '(letter)' + text."""
    a = answer.lower().strip()
    letter = row['Correct Answer'].strip().lower().strip('()')
    opts = row['Options']
    low = opts.lower()
    start = low.index('(' + letter + ')') + 3
    nxt = [low.find('(' + c + ')', start) for c in 'abcdefgh']
    nxt = [n for n in nxt if n >= 0]
    text = opts[start:min(nxt) if nxt else len(opts)].strip().lower()
    return a in (letter, '(' + letter + ')') or (text != '' and a == text) or \
        (a.startswith('(' + letter + ')') and len(a) > len(letter) + 2)


def make_mmvp() -> None:
    import csv
    rows = [
        ('Are the butterfly\'s wings closer to being open or closed?', '(a) Open (b) Closed', '(a)', '(b)'),
        ('Is the dog facing left or right, from the camera\'s perspective?', '(a) Left (b) Right', '(b)', '(a)'),
        ('Do you see any window in this image?', '(a) Yes (b) No', '(a)', '(b)'),
        ('Is the "flame" of the candle lit, or not?', '(a) Lit, burning (b) Not lit', '(a)', '(b)'),
    ]
    table = []
    idx = 0
    for q, o, a1, a2 in rows:
        for a in (a1, a2):
            idx += 1
            table.append({'Index': str(idx), 'Question': q, 'Options': o, 'Correct Answer': a})
    with open(out('mmvp', 'Questions.csv'), 'w', newline='', encoding='utf-8') as f:
        w = csv.DictWriter(f, fieldnames=['Index', 'Question', 'Options', 'Correct Answer'])
        w.writeheader()
        w.writerows(table)
    answers = ['(a)', 'B', 'left', '(a) left', 'yes.', ' (B) No. ', '(a) lit, burning', 'not lit']
    preds = [dict(id=int(r['Index']), answer=a) for r, a in zip(table, answers, strict=True)]
    write_jsonl(out('mmvp', 'predictions.jsonl'), preds)
    ok = [mmvp_correct(r, a) for r, a in zip(table, answers, strict=True)]
    pairs = sum(ok[i] and ok[i + 1] for i in range(0, len(ok), 2))
    exp = dict(per_question=ok, pair_accuracy=100 * pairs / (len(ok) // 2),
               question_accuracy=100 * sum(ok) / len(ok), n=len(ok))
    with open(out('mmvp', 'expected.json'), 'w') as f:
        json.dump(exp, f, indent=1)
    for i in range(1, len(table) + 1):
        tiny_jpeg(out('mmvp', 'MMVP Images', f'{i}.jpg'), 12, 12, 100 + i)


# ------------------------------------------------------------------------------------ COCO captions
COCO_IMAGES = [
    # (cocoid, split, raw captions)
    (391895, 'val', ['A man with a red helmet on a small moped on a dirt road. ',
                     'Man riding a motor bike on a dirt road on the countryside.',
                     'A man riding on the back of a motorcycle.',
                     'A dirt path with a young person on a motor bike rests to the foreground of a verdant area '
                     'with a bridge and a background of cloud-wreathed mountains. ',
                     'A man in a red shirt and a red hat is on a motorcycle on a hill side.']),
    (522418, 'train', ['A woman wearing a net on her head cutting a cake. ']),
    (184613, 'val', ['A child holding a flowered umbrella and petting a yak.',
                     'A young man holding an umbrella next to a herd of cattle.',
                     'a young boy barefoot holding an umbrella touching the horn of a cow',
                     'A young boy with an umbrella who is touching the horn of a cow.',
                     'A boy holding an umbrella while standing next to livestock.',
                     "A kid's \"umbrella\" (flowered) - it's 1/2 open...",
                     'Two cows; one boy!']),
    (318219, 'test', ['A young boy standing in front of a computer keyboard.']),
    (554625, 'val', ['a boy wearing headphones using one computer in a long row of computers',
                     'A little boy with earphones on listening to something.',
                     'A group of people sitting at desk using computers.',
                     'Children sitting at computer stations on a long table.',
                     'A small child wearing headphones plays on the computer.',
                     'A caf\u00e9 \u2014 full of \u201ckids\u201d & computers\u2026']),
]


def make_coco() -> None:
    images = []
    sentid = 1000
    for imgid, (cocoid, split, caps) in enumerate(COCO_IMAGES):
        sents = []
        for c in caps:
            sentid += 1
            sents.append(dict(tokens=c.lower().split(), raw=c, imgid=imgid, sentid=sentid))
        folder = 'val2014' if split != 'train' else 'train2014'
        images.append(dict(filepath=folder, sentids=[s['sentid'] for s in sents],
                           filename=f'COCO_{folder}_{cocoid:012d}.jpg', imgid=imgid, split=split,
                           sentences=sents, cocoid=cocoid))
    with open(out('coco', 'dataset_coco.json'), 'w', encoding='utf-8') as f:
        json.dump(dict(images=images, dataset='coco'), f)
    preds = {391895: 'A man riding a motorcycle on a dirt road.',
             184613: 'A boy (with an umbrella) next to a cow!',
             554625: 'A boy wearing headphones at a computer.',
             318219: 'A boy in front of a keyboard.'}
    write_jsonl(out('coco', 'predictions_val.jsonl'), [dict(id=k, answer=v) for k, v in preds.items() if k != 318219])
    write_jsonl(out('coco', 'predictions_test.jsonl'), [dict(id=318219, answer=preds[318219])])
    for im in images:
        tiny_jpeg(out('coco', im['filepath'], im['filename']), 10, 8, im['cocoid'] % 1000)


# ---------------------------------------------------------------------------------------- RefCOCO
REF_IMAGES = [  # id, height, width
    (9, 48, 64), (25, 60, 50), (30, 40, 40), (42, 33, 47),
]


def refcoco_annotations() -> list[dict]:
    import pycocotools.mask as mask_util  # here, so the rules above import without pycocotools

    rng = np.random.default_rng(7)
    anns = []
    aid = 100

    sizes = {i: (h, w) for i, h, w in REF_IMAGES}

    def add(image_id: int, seg: list | dict, iscrowd: int = 0) -> int:
        nonlocal aid
        aid += 1
        h, w = sizes.get(image_id, (10, 10))
        if isinstance(seg, list):
            rle = mask_util.merge(mask_util.frPyObjects(seg, h, w))
        elif isinstance(seg['counts'], list):
            rle = mask_util.frPyObjects(seg, h, w)
        else:
            rle = dict(size=seg['size'], counts=seg['counts'].encode('ascii'))
        anns.append(dict(id=aid, image_id=image_id, category_id=1, segmentation=seg,
                         area=float(mask_util.area(rle)), bbox=[float(v) for v in mask_util.toBbox(rle)],
                         iscrowd=iscrowd))
        return aid

    (i9, h9, w9), (i25, h25, w25), (i30, h30, w30), (i42, h42, w42) = REF_IMAGES
    add(i9, [[10.2, 5.7, 40.9, 8.1, 50.3, 30.6, 22.4, 41.9, 8.8, 25.5]])  # one polygon
    add(i9, [[0, 0, 20.5, 0, 20.5, 10.25, 0, 10.25], [30.1, 20.2, 63.9, 20.2, 63.9, 47.9, 30.1, 47.9]])  # two polygons
    add(i9, [[-3.3, -2.0, 70.0, 10.0, 35.5, 55.0]])  # outside the image
    m = rng.random((h25, w25)) < 0.3
    m[10:40, 5:30] = True
    rle = mask_util.encode(np.asfortranarray(m.astype(np.uint8)))
    add(i25, dict(size=[h25, w25], counts=rle['counts'].decode('ascii')))  # compressed RLE
    m2 = np.zeros((h25, w25), np.uint8)
    m2[5:20, 30:45] = 1
    fl = m2.flatten(order='F')
    counts, cur, run = [], 0, 0
    for v in fl:
        if v != cur:
            counts.append(run)
            run, cur = 0, v
        run += 1
    counts.append(run)
    add(i25, dict(size=[h25, w25], counts=counts), iscrowd=1)  # uncompressed RLE
    add(i25, [[12.0, 44.0, 13.0, 44.0, 12.5, 45.0]])  # tiny triangle
    add(i30, [[5.5, 5.5, 34.5, 5.5, 34.5, 34.5, 5.5, 34.5]])
    add(i30, [[20, 2, 38, 20, 20, 38, 2, 20]])
    add(i42, [[3.0, 3.0, 44.0, 4.0, 43.0, 30.0, 2.0, 29.0, 10.0, 15.0]])
    add(77777, [[1, 1, 5, 1, 5, 5]])  # image not in the images list
    return anns


def make_refcoco() -> None:
    anns = refcoco_annotations()
    images = [dict(id=i, file_name=f'{i:012d}.jpg', height=h, width=w, license=1,
                   flickr_url='', coco_url='', date_captured='') for i, h, w in REF_IMAGES]
    images.insert(1, dict(id=5, file_name='000000000005.jpg', height=10, width=10, license=1))  # unreferenced
    inst = dict(info={}, licenses=[], images=images, annotations=anns,
                categories=[dict(id=1, name='person', supercategory='person')])
    with open(out('refcoco', 'annotations', 'instances_train2017.json'), 'w') as f:
        json.dump(inst, f)
    for i, h, w in REF_IMAGES:
        tiny_jpeg(out('refcoco', 'train2017', f'{i:012d}.jpg'), w, h, i)
    ann_img = {a['id']: a['image_id'] for a in anns}
    sent_id = [0]

    def ref(ref_id: int, ann_id: int, split: str, texts: list[str], image_id: int | None = None) -> dict:
        sents = []
        for t in texts:
            sent_id[0] += 1
            sents.append(dict(tokens=t.split(), raw=Py2Unicode(t.upper() + ' '), sent_id=sent_id[0], sent=t))
        image_id = ann_img.get(ann_id, 99999) if image_id is None else image_id
        return dict(sent_ids=[s['sent_id'] for s in sents], file_name=f'COCO_train2014_{image_id:012d}_{ann_id}.jpg',
                    ann_id=ann_id, ref_id=ref_id, image_id=image_id, split=split, sentences=sents,
                    category_id=1)

    datasets = {
        ('refcoco', 'refs(unc).p', 2): [
            ref(0, 104, 'val', ['woman on left', 'left lady']),
            ref(1, 101, 'val', ['blob top']),
            ref(2, 102, 'val', ['two boxes']),
            ref(3, 104, 'val', ['same object again']),  # second ref of ann 104: merged
            ref(4, 103, 'testA', ['big triangle', 'cut off thing', 'corner']),
            ref(5, 107, 'testB', ['square']),
            ref(6, 108, 'val', ['diamond']),
            ref(7, 105, 'train', ['crowd box']),
            ref(8, 110, 'val', ['ghost image']),  # image missing from instances: dropped
            ref(9, 9999, 'val', ['missing annotation'], image_id=9),  # annotation missing: dropped
            ref(10, 106, 'val', ['tiny triangle']),
        ],
        ('refcoco+', 'refs(unc).p', 2): [
            ref(20, 105, 'val', ['crowd box plus']),
            ref(21, 109, 'val', ['pentagon', 'five sides']),
            ref(22, 101, 'testA', ['blob']),
        ],
        ('refcocog', 'refs(umd).p', 0): [  # written with protocol 0 to cover the text opcodes too
            ref(30, 102, 'val', ["the two boxes that aren't touching"]),
            ref(31, 107, 'val', ['a square in the middle of the image']),
            ref(32, 108, 'test', ['a diamond']),
        ],
    }
    for (name, fname, proto), refs in datasets.items():
        with open(out('refcoco', name, fname), 'wb') as f:
            f.write(py2_pickle(refs, proto))


if __name__ == '__main__':
    make_pope()
    make_mmvp()
    make_coco()
    make_refcoco()
    print('fixtures written under', out(''))
