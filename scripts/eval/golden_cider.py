"""Golden CIDEr-D values from pycocoevalcap 1.2 (PyPI), written to
eval/src/test/resources/eval/golden/cider.json.gz:
  1. the 3-image known answer of docs/eval-protocols.md#known-answers (already tokenized strings,
     Cider() directly);
  2. the same with image 2's hypothesis empty;
  3. >= 1,000 generated raw captions (punctuation, brackets, quotes, unicode, no-break spaces,
     '\\r' and other line separators) through pycocoevalcap's own PTBTokenizer (its bundled
     CoreNLP 3.4.1 jar, run by Java as a separate process) and Cider();
  4. the COCO fixture (dataset_coco.json val + predictions_val.jsonl), as `eval score cococap` sees it.
It also runs the Maven Central stanford-corenlp-3.4.1.jar (path in $MAVEN_CORENLP_JAR, default
~/.m2/...) on the same streams and reports whether its output is byte-identical to the bundled jar's.
Run: python3 scripts/eval/golden_cider.py   (pip install pycocoevalcap; Java 8+ on PATH)"""
import gzip
import json
import os
import random
import subprocess
import tempfile

import pycocoevalcap.tokenizer.ptbtokenizer as ptb_mod
from pycocoevalcap.cider.cider import Cider
from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

from common import RES, out

BUNDLED_JAR = os.path.join(os.path.dirname(ptb_mod.__file__), 'stanford-corenlp-3.4.1.jar')
MAVEN_JAR = os.environ.get('MAVEN_CORENLP_JAR', os.path.expanduser(
    '~/.m2/repository/edu/stanford/nlp/stanford-corenlp/3.4.1/stanford-corenlp-3.4.1.jar'))


def cider(gts: dict[int, list[str]], res: dict[int, list[str]]) -> tuple[float, list[float]]:
    score, scores = Cider().compute_score(gts, res)
    return float(score), [float(s) for s in scores]


def spec_sets() -> list[dict]:
    refs = [['a man riding a wave on top of a surfboard', 'a surfer rides a large wave in the ocean',
             'a person on a surfboard riding a wave'],
            ['two dogs playing with a frisbee in a park', 'a couple of dogs running on the grass',
             'two dogs chase a frisbee on a grassy field'],
            ['a plate of food with broccoli and rice', 'a white plate topped with rice and vegetables',
             'a meal of chicken rice and broccoli on a plate']]
    hyps = ['a man riding a wave on a surfboard', 'two dogs playing with a frisbee', 'a plate of rice and broccoli']
    sets = []
    for name, h in (('spec_3_images', hyps), ('spec_3_images_empty_hyp', hyps[:2] + [''])):
        gts = {i: r for i, r in enumerate(refs)}
        res = {i: [x] for i, x in enumerate(h)}
        score, scores = cider(gts, res)
        sets.append(dict(name=name, tokenized=True, refs=refs, hyps=h, score=score, per_image=scores))
    assert abs(sets[0]['score'] - 3.201911831994471) < 1e-12, sets[0]['score']
    assert abs(sets[1]['score'] - 2.297587514811745) < 1e-12, sets[1]['score']
    return sets


WORDS = ('a man woman child dog cat dogs two three small large red white black young old sitting standing '
         'riding holding on in of with the next to near top bottom street field beach table plate pizza '
         'surfboard wave ocean frisbee park grass train bus car bike motorcycle umbrella kite sky water '
         'colour centre grey theatre harbour U.S. T.V. e.g. Mr. Dr. St. 12" 1/2 2 1/2 3.5 100% $5 #1 '
         "man's can't they're it's won't dogs' kids' o'clock rock-n-roll black-and-white ice-cream "
         'café naïve résumé Zürich 東京 ☕ 🍕 ½ — – … “quoted” ‘single’ « » ¿ ¡ ñ').split(' ')
PUNCT = ['.', ',', '!', '?', ';', ':', '...', '-', '--', '(', ')', '[', ']', '{', '}', '"', "'", '`', '&', '*',
         '/', '@', '<', '>', '|', '~', '+', '=', '^']
ODD = ['\u00a0', '\t', '  ', '\u2009', '\u3000', '\u200b', '\u00ad']


def random_caption(rng: random.Random, allow_breaks: bool) -> str:
    n = rng.randint(0, 16)
    parts = []
    for _ in range(n):
        r = rng.random()
        if r < 0.75:
            w = rng.choice(WORDS)
            if rng.random() < 0.15:
                w = w.upper() if rng.random() < 0.5 else w.capitalize()
            parts.append(w)
        elif r < 0.93:
            parts.append(rng.choice(PUNCT))
        else:
            parts.append(rng.choice(ODD))
    s = ''
    for p in parts:
        s += (p if rng.random() < 0.2 else ' ' + p)
    s = s.strip(' ') if rng.random() < 0.8 else s
    if allow_breaks and rng.random() < 0.01:
        pos = rng.randint(0, len(s))
        s = s[:pos] + rng.choice(['\r', '\n', '\u2028', '\x0c', '\x0b', '\u0085', '\r\n']) + s[pos:]
    if rng.random() < 0.03:
        s += rng.choice(['.', '!', ' ...', '\r'])
    return s


def generated_set(num_images: int = 1100, seed: int = 20240514) -> tuple[list[list[str]], list[str]]:
    rng = random.Random(seed)
    refs, hyps = [], []
    for i in range(num_images):
        k = rng.randint(3, 7)
        refs.append([random_caption(rng, True) for _ in range(k)])
        # hypotheses: often a perturbed reference, sometimes random, sometimes empty
        r = rng.random()
        if r < 0.5:
            h = rng.choice(refs[-1])
            h = ' '.join(w for w in h.split(' ') if rng.random() < 0.8)
        elif r < 0.97:
            h = random_caption(rng, i > num_images - 50)
        else:
            h = ''
        hyps.append(h)
    return refs, hyps


def run_jar(jar: str, stream: str) -> bytes:
    """The tokenizer command line pycocoevalcap runs, on `stream` written as UTF-8 to a temp file."""
    with tempfile.NamedTemporaryFile(delete=False) as f:
        f.write(stream.encode())
        name = f.name
    try:
        return subprocess.run(['java', '-cp', jar, 'edu.stanford.nlp.process.PTBTokenizer', '-preserveLines',
                               '-lowerCase', name], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              check=True).stdout
    finally:
        os.remove(name)


def raw_set(name: str, refs: list[list[str]], hyps: list[str], jar_report: dict) -> dict:
    gts_in = {i: [{'caption': c} for c in r] for i, r in enumerate(refs)}
    res_in = {i: [{'caption': h}] for i, h in enumerate(hyps)}
    tok = PTBTokenizer()
    gts = tok.tokenize(gts_in)
    res = tok.tokenize(res_in)
    score, scores = cider(gts, res)
    # Maven Central jar vs pycocoevalcap's bundled jar on the very streams pycocoevalcap builds
    for kind, d in (('refs', gts_in), ('hyps', res_in)):
        stream = '\n'.join(c['caption'].replace('\n', ' ') for v in d.values() for c in v)
        a, b = run_jar(BUNDLED_JAR, stream), run_jar(MAVEN_JAR, stream)
        jar_report.append(dict(set=name, kind=kind, captions=sum(len(v) for v in d.values()),
                               output_lines=a.decode().count('\n') + 1, identical=(a == b)))
    return dict(name=name, tokenized=False, refs=refs, hyps=hyps,
                refs_tokenized=[gts[i] for i in range(len(refs))],
                hyps_tokenized=[res[i][0] for i in range(len(hyps))], score=score, per_image=scores)


def coco_fixture_set(jar_report: dict) -> dict:
    ds = json.load(open(os.path.join(RES, 'coco', 'dataset_coco.json'), encoding='utf-8'))
    preds = {}
    for line in open(os.path.join(RES, 'coco', 'predictions_val.jsonl'), encoding='utf-8'):
        p = json.loads(line)
        preds[p['id']] = p['answer']
    val = [im for im in ds['images'] if im['split'] == 'val']
    s = raw_set('coco_fixture_val', [[x['raw'] for x in im['sentences']] for im in val],
                [preds[im['cocoid']] for im in val], jar_report)
    s['cocoids'] = [im['cocoid'] for im in val]
    return s


def main() -> None:
    jar_report = []
    sets = spec_sets()
    refs, hyps = generated_set()
    sets.append(raw_set('generated', refs, hyps, jar_report))
    # the PTB table of docs/eval-protocols.md#known-answers, as a small raw set
    table = ['A man riding a wave on top of a surfboard.',
             "A colour photo of a man's dog (brown) - it's 1/2 eaten...",
             'Two "young" kids can\'t play; they\'re at the U.S. Open!',
             'A black-and-white cat sits on a T.V. stand, near 3 remotes & a cup?',
             "A theatre's centre -- grey 'harbour' {view} [x] a*b",
             'A: B; C! D? E... F -- G - H', 'Kids\' toys on a 12" pizza', '', 'line with a CR\rinside',
             'after the CR', 'a 2 1/2 inch (201) 555-1212 café']
    sets.append(raw_set('spec_ptb_table', [[c, 'a b c'] for c in table], table[::-1], jar_report))
    sets.append(coco_fixture_set(jar_report))
    total = sum(len(r) for r in refs) + len(hyps)
    with gzip.open(out('golden', 'cider.json.gz'), 'wt', encoding='utf-8') as f:
        json.dump(dict(sets=sets, maven_vs_bundled_jar=jar_report), f, ensure_ascii=False)
    for s in sets:
        print(f"{s['name']}: {len(s['refs'])} images, CIDEr {s['score']!r}")
    print('generated captions:', total)
    for r in jar_report:
        print('maven jar == bundled jar:', r)


if __name__ == '__main__':
    main()
