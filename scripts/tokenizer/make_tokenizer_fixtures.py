#!/usr/bin/env python3
"""Makes the tokenizer golden data for paligemma4j's Java tokenizer tests.

Trains small SentencePiece BPE models with Gemma's settings (BPE, byte fallback, split digits,
identity normalizer without dummy prefix, whitespace kept, pad=0 eos=1 bos=2 unk=3), extends them
with the PaliGemma token sets the way big_vision does (`<loc0000>`..`<loc1023>`, `<seg000>`..`<seg127>`,
sorted by np.unique, appended as USER_DEFINED pieces with score 0, see big_vision pp/ops_text.py
`_add_pieces`), and records Google's `sentencepiece` ids and decodes for >= 10,000 test strings.

Outputs (model/src/test/resources/tokenizer/):
  strings.jsonl.gz           one JSON string per line (the shared test strings)
  <name>.model               the SentencePiece model
  <name>.expected.jsonl.gz   per string (the first N): [ids] or [ids, decoded] when decode(ids) != the string
  <name>.decode.jsonl.gz     random id lists: [ids, big_vision to_str(ids)] (cut at first eos, DecodeIds)
  <name>.meta.json           special ids, vocab size and a few piece ids
  unigram.model              a small unigram model (the Java loader supports BPE only and must refuse it)
  nfkc.model                 tiny.model's first pieces relabelled as nmt_nfkc with a non-empty
                             precompiled_charsmap (the Java loader must refuse it; the blob is not a real charsmap)

Usage: python3 scripts/tokenizer/make_tokenizer_fixtures.py [--out DIR]
Requirements: scripts/tokenizer/requirements.txt (sentencepiece, protobuf).
"""
import argparse
import gzip
import io
import json
import os
import random
import sys
from typing import TYPE_CHECKING

# sentencepiece is imported where it is used, so the string generators import without it
os.environ.setdefault("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "python")
if TYPE_CHECKING:
    import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "..", "model", "src", "test", "resources", "tokenizer")

# ---------------------------------------------------------------------------------------------
# Synthetic multilingual text (seeded; word lists written for this script).
# ---------------------------------------------------------------------------------------------
EN = ("the a of and to in is on with for at by from that this it as be are was were an or not "
      "cat dog bird horse person people man woman child car bus truck train bicycle street road tree "
      "house building window door table chair bed cup bottle plate food pizza cake apple banana "
      "sky cloud water river sea beach mountain snow grass field park city sign light red blue green "
      "yellow white black brown small large two three four many some standing sitting walking running "
      "holding looking playing riding eating wearing next near under over behind front top bottom left "
      "right image picture photo shows there what where which how color number text caption answer "
      "question detect segment describe").split()
FR = "le la les des une est avec dans sur pour très été à côté où déjà français garçon fenêtre".split()
DE = "der die das und ist mit auf für über schön größer Straße Mädchen Bäume grün weiß".split()
ES = "el los las una está con por qué niño señal año pequeño cómo árbol mañana".split()
VI = "người đang ngồi trên chiếc xe đạp màu đỏ Việt Nam tiếng".split()
RU = "кошка собака человек дом улица машина стоит сидит красный белый на в и с рядом фото".split()
EL = "γάτα σκύλος άνθρωπος σπίτι δρόμος αυτοκίνητο κόκκινο λευκό και στο με".split()
AR = "قطة كلب رجل امرأة منزل شارع سيارة أحمر أبيض على في مع صورة".split()
HE = "חתול כלב איש אישה בית רחוב מכונית אדום לבן על עם".split()
HI = "बिल्ली कुत्ता आदमी औरत घर सड़क गाड़ी लाल सफ़ेद पर में के साथ तस्वीर".split()
TH = "แมว สุนัข ผู้ชาย ผู้หญิง บ้าน ถนน รถ สีแดง สีขาว บน ใน กับ".split()
ZH_CHARS = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产"
            "种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从"
            "业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又"
            "么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位"
            "入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放"
            "猫狗马鸟车街道树房子窗门桌椅杯瓶盘食物天空云河海山雪草地公园城市红蓝绿黄白黑")
JA_KANA = ("あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん"
           "アイウエオカキクケコサシスセソタチツテトナニヌネノ")
KO_SYL = "가나다라마바사아자차카타파하고양이개사람집거리자동차빨간하얀위에서와사진는은이가을를"
EMOJI = ["😀", "😂", "🐱", "🐶", "🚗", "🌳", "🏠", "❤️", "👍", "👍🏽", "👨‍👩‍👧", "🇺🇸", "🇯🇵", "🏳️‍🌈", "✨", "🔥",
         "🙂", "🤖", "🦄", "🍕", "☕", "⚽", "🎉", "🧑‍💻"]
PUNCT = [".", ",", "!", "?", ";", ":", "-", "(", ")", "\"", "'", "…", "—", "«", "»", "“", "”", "/", "&", "%"]
LATIN_WORDS = EN * 4 + FR + DE + ES + VI
SCRIPT_WORDS = [LATIN_WORDS, RU, EL, AR, HE, HI, TH]


def cjk_word(rng: random.Random, chars: str) -> str:
    return "".join(rng.choice(chars) for _ in range(rng.randint(1, 3)))


def number(rng: random.Random) -> str:
    kind = rng.randint(0, 4)
    if kind == 0:
        return str(rng.randint(0, 9999))
    if kind == 1:
        return f"{rng.randint(0, 999)}.{rng.randint(0, 99)}"
    if kind == 2:
        return f"{rng.randint(1900, 2030)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if kind == 3:
        return str(rng.randint(0, 10 ** rng.randint(1, 12)))
    return f"{rng.randint(0, 100)}%"


def sentence(rng: random.Random) -> str:
    """One sentence, mostly in one script, with occasional numbers, emoji and punctuation."""
    pick = rng.random()
    words = []
    n = rng.randint(2, 14)
    if pick < 0.55:
        pool = LATIN_WORDS
    elif pick < 0.8:
        pool = rng.choice(SCRIPT_WORDS[1:])
    else:
        pool = None
    for _ in range(n):
        r = rng.random()
        if r < 0.08:
            words.append(number(rng))
        elif r < 0.11:
            words.append(rng.choice(EMOJI))
        elif pool is None:
            cjk = rng.random()
            if cjk < 0.6:
                words.append(cjk_word(rng, ZH_CHARS))
            elif cjk < 0.8:
                words.append(cjk_word(rng, JA_KANA))
            else:
                words.append(cjk_word(rng, KO_SYL))
        else:
            w = rng.choice(pool)
            if rng.random() < 0.1:
                w = w.capitalize()
            words.append(w)
    sep = "" if pool is None and rng.random() < 0.7 else " "
    s = sep.join(words)
    if rng.random() < 0.6:
        s += rng.choice(PUNCT)
    return s


# ---------------------------------------------------------------------------------------------
# Test strings.
# ---------------------------------------------------------------------------------------------
RANGES = [
    (0x20, 0x7E), (0x01, 0x1F), (0x7F, 0x9F), (0xA0, 0xFF), (0x100, 0x24F), (0x300, 0x36F),
    (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x5FF), (0x600, 0x6FF), (0x900, 0x97F), (0xE00, 0xE7F),
    (0x1100, 0x11FF), (0x2000, 0x206F), (0x2100, 0x23FF), (0x2580, 0x259F), (0x3000, 0x30FF),
    (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xE000, 0xE0FF), (0xFE00, 0xFE0F), (0xFF00, 0xFFEF),
    (0xFFF0, 0xFFFF), (0x1D400, 0x1D7FF), (0x1F300, 0x1FAFF), (0x20000, 0x2A6DF), (0x10FF00, 0x10FFFF),
]
WS = [" ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n ", "\u00a0", "\u3000", "\u2009", "\u200b", "▁", "▁▁"]
SPECIAL_TEXT = ["<bos>", "<eos>", "<pad>", "<unk>", "<start_of_turn>", "<end_of_turn>", "<mask>", "[multimodal]",
                "<ctrl99>", "<0x41>", "<0xZZ>", "<loc>", "<loc01234>", "<loc123>", "<loc1024>", "<seg12>",
                "<seg0001>", "<seg128>", "<image>", "</s>", "<s>", "<", ">", "<<loc0001>>", "loc0001"]
PROMPTS = ["caption en", "caption es", "describe en", "ocr", "answer en What is in the image?",
           "question en", "detect cat", "detect person ; car ; traffic light", "segment dog",
           "caption zh", "answer fr Quelle est la couleur du chat?"]


def rand_codepoints(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        lo, hi = rng.choice(RANGES)
        out.append(chr(rng.randint(lo, hi)))
    return "".join(out)


def loc_text(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 3)):
        boxes = "".join(f"<loc{rng.randint(0, 1023):04d}>" for _ in range(4))
        if rng.random() < 0.3:
            boxes += "".join(f"<seg{rng.randint(0, 127):03d}>" for _ in range(16))
        parts.append(boxes + (" " if rng.random() < 0.8 else "") + rng.choice(EN))
    s = " ; ".join(parts)
    if rng.random() < 0.3:
        s = sentence(rng) + rng.choice(["", " ", "\n"]) + s
    return s


def test_string(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.30:
        return sentence(rng)
    if r < 0.33:
        return " ".join(sentence(rng) for _ in range(rng.randint(2, 3)))
    if r < 0.52:
        return rand_codepoints(rng, rng.randint(1, 24))
    if r < 0.62:
        parts = []
        for _ in range(rng.randint(1, 8)):
            parts.append(rng.choice(WS) * rng.randint(1, 3))
            if rng.random() < 0.7:
                parts.append(rng.choice(LATIN_WORDS + RU + list(EMOJI)))
        return "".join(parts)
    if r < 0.67:
        return "".join(rng.choice(["", " ", "-", ".", ",", "x"]) + number(rng) for _ in range(rng.randint(1, 5)))
    if r < 0.82:
        return loc_text(rng)
    if r < 0.88:
        bits = [rng.choice(SPECIAL_TEXT) for _ in range(rng.randint(1, 4))]
        if rng.random() < 0.5:
            bits.insert(rng.randint(0, len(bits)), rng.choice(EN))
        return rng.choice(["", " ", "\n"]).join(bits)
    if r < 0.93:
        return rng.choice(PROMPTS) + rng.choice(["", " ", "  ", "\n"])
    # short strings: one or two characters of any kind
    return rand_codepoints(rng, rng.randint(1, 2)) if rng.random() < 0.5 else rng.choice(
        list(EMOJI) + WS + PUNCT + ["a", "A", "0", "1", "12", "123", "é", "中", "ß"])


FIXED_STRINGS = ["", " ", "  ", "\n", "\n\n", "\t", "a", " a", "a ", "  leading", "trailing  ", "a  b   c",
                 "caption en", "<loc0123>", "<loc0000><loc1023><seg000><seg127>", "x<loc0123>y",
                 " <loc0123> ", "<loc0123 >", "<bos>", "<eos>hello", "▁", "▁hello", "hello▁world",
                 "12345678901234567890", "3.14159", "😀", "👨‍👩‍👧", "中文字符", "日本語のテキスト", "한국어",
                 "\u00e9 vs e\u0301", "\ufeffbom", "\u200bzero\u200bwidth", "\r\n", "\u0001\u0002",
                 "\U0010FFFF", "\uFFFD", "\uFFFE", "a\u3000b"]


def make_strings(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    out = list(FIXED_STRINGS)
    while len(out) < n:
        out.append(test_string(rng))
    return out


# ---------------------------------------------------------------------------------------------
# Models.
# ---------------------------------------------------------------------------------------------
GEMMA_LIKE = dict(
    model_type="bpe", byte_fallback=True, split_digits=True, allow_whitespace_only_pieces=True,
    remove_extra_whitespaces=False, normalization_rule_name="identity", add_dummy_prefix=False,
    pad_id=0, eos_id=1, bos_id=2, unk_id=3, pad_piece="<pad>", eos_piece="<eos>", bos_piece="<bos>",
    unk_piece="<unk>", user_defined_symbols=["<start_of_turn>", "<end_of_turn>", "<mask>", "[multimodal]"],
    control_symbols=["<ctrl99>"], character_coverage=0.9995, num_threads=2, max_sentencepiece_length=16,
    shuffle_input_sentence=False, minloglevel=2)


def train(corpus: list[str], **kwargs: object) -> bytes:
    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(corpus), model_writer=buf, **kwargs)
    return buf.getvalue()


def add_pieces(model_bytes: bytes, extras: list[str]) -> bytes:
    """big_vision `_add_pieces`: USER_DEFINED, score 0, replace a piece in place if it already exists."""
    from sentencepiece import sentencepiece_model_pb2 as pb

    proto = pb.ModelProto.FromString(model_bytes)
    index = {p.piece: i for i, p in enumerate(proto.pieces)}
    for piece in extras:
        piece = piece.replace(" ", "▁")
        new = pb.ModelProto.SentencePiece(piece=piece, score=0.0, type=pb.ModelProto.SentencePiece.USER_DEFINED)
        if piece in index:
            proto.pieces[index[piece]].CopyFrom(new)
        else:
            proto.pieces.append(new)
    return proto.SerializeToString()


def paligemma_extras() -> list[str]:
    import numpy as np
    loc = [f"<loc{i:04d}>" for i in range(1024)]
    seg = [f"<seg{i:03d}>" for i in range(128)]
    return [str(x) for x in np.unique(loc + seg)]  # sorted, as big_vision's get_extra_tokens


def add_normal_pieces_and_unused(model_bytes: bytes, rng: random.Random) -> bytes:
    """Variant for the `wide` model: extra whitespace pieces and some UNUSED pieces (resegmentation path)."""
    from sentencepiece import sentencepiece_model_pb2 as pb

    proto = pb.ModelProto.FromString(model_bytes)
    for piece, score in [("\n", -0.5), ("\n\n", -0.75), ("\t", -1.0), ("\n\n\n", -1.25)]:
        proto.pieces.append(pb.ModelProto.SentencePiece(piece=piece, score=score,
                                                        type=pb.ModelProto.SentencePiece.NORMAL))
    normal = [i for i, p in enumerate(proto.pieces)
              if p.type == pb.ModelProto.SentencePiece.NORMAL and len(p.piece) >= 3]
    for i in rng.sample(normal, 40):
        proto.pieces[i].type = pb.ModelProto.SentencePiece.UNUSED
    return proto.SerializeToString()


def encode_all(sp: "spm.SentencePieceProcessor", strings: list[str]) -> list[list]:
    lines = []
    for s in strings:
        ids = sp.encode(s)
        dec = sp.decode(ids)
        lines.append([ids] if dec == s else [ids, dec])
    return lines


def decode_cases(sp: "spm.SentencePieceProcessor", rng: random.Random, n: int) -> list[list]:
    size = sp.get_piece_size()
    eos = sp.eos_id()
    byte_ids = [i for i in range(size) if sp.is_byte(i)]
    special = [i for i in range(size) if sp.is_control(i) or sp.is_unknown(i)]
    cases = [[], [eos], [eos, 5, 6], [sp.bos_id(), 5, eos, 6]]
    while len(cases) < n:
        ids = []
        for _ in range(rng.randint(1, 16)):
            r = rng.random()
            if r < 0.5:
                ids.append(rng.randrange(size))
            elif r < 0.75 and byte_ids:
                ids.append(rng.choice(byte_ids))
            elif r < 0.9:
                ids.append(rng.choice(special))
            else:
                ids.append(size - 1 - rng.randrange(1152))  # loc / seg region
        cases.append(ids)
    out = []
    for ids in cases:
        cut = ids[:ids.index(eos)] if eos in ids else ids  # big_vision to_str(stop_at_eos=True)
        out.append([ids, sp.decode(cut)])
    return out


def meta(sp: "spm.SentencePieceProcessor") -> dict:
    return {
        "vocab_size": sp.get_piece_size(), "pad_id": sp.pad_id(), "eos_id": sp.eos_id(),
        "bos_id": sp.bos_id(), "unk_id": sp.unk_id(),
        "newline_ids": sp.encode("\n"), "loc0000": sp.piece_to_id("<loc0000>"),
        "loc1023": sp.piece_to_id("<loc1023>"), "seg000": sp.piece_to_id("<seg000>"),
        "seg127": sp.piece_to_id("<seg127>"),
        "prefix_caption_en": [sp.bos_id()] + sp.encode("caption en") + sp.encode("\n"),
    }


def write_jsonl_gz(path: str, rows: list) -> None:
    """One compact JSON value per line, gzipped with mtime 0: rewriting a file with the same rows keeps its bytes."""
    data = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in rows).encode("utf-8")
    with open(path, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0) as gz:  # mtime=0: reproducible bytes
            gz.write(data)


def main() -> None:
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as pb

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--strings", type=int, default=10500)
    ap.add_argument("--wide-strings", type=int, default=5000, help="strings checked for the wide variant")
    ap.add_argument("--small-strings", type=int, default=1500, help="strings checked for the non-Gemma variants")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    rng = random.Random(20240501)
    corpus = [sentence(rng) for _ in range(40000)]
    strings = make_strings(7, args.strings)
    write_jsonl_gz(os.path.join(args.out, "strings.jsonl.gz"), strings)

    # (settings, post-processing, number of strings checked)
    variants = {
        # Tiny demo tokenizer: Gemma's settings, 1,024 trained pieces + 1,152 loc/seg pieces.
        "tiny": (dict(GEMMA_LIKE, vocab_size=1024), None, len(strings)),
        # Larger vocabulary, pieces may cross whitespace, extra newline pieces, UNUSED pieces.
        "wide": (dict(GEMMA_LIKE, vocab_size=4000, split_by_whitespace=False), add_normal_pieces_and_unused,
                 args.wide_strings),
        # Not Gemma: dummy prefix + extra-whitespace removal + no byte fallback (normalizer read from the file).
        "prefix": (dict(GEMMA_LIKE, vocab_size=800, add_dummy_prefix=True, remove_extra_whitespaces=True,
                        byte_fallback=False), None, args.small_strings),
        # Not Gemma: whitespace as suffix with a dummy prefix.
        "suffix": (dict(GEMMA_LIKE, vocab_size=1200, add_dummy_prefix=True, treat_whitespace_as_suffix=True), None,
                   args.small_strings),
    }
    for name, (kwargs, post, n_strings) in variants.items():
        model = train(corpus, **kwargs)
        if post is not None:
            model = post(model, random.Random(5))
        model = add_pieces(model, paligemma_extras())
        with open(os.path.join(args.out, f"{name}.model"), "wb") as f:
            f.write(model)
        sp = spm.SentencePieceProcessor(model_proto=model)
        write_jsonl_gz(os.path.join(args.out, f"{name}.expected.jsonl.gz"), encode_all(sp, strings[:n_strings]))
        write_jsonl_gz(os.path.join(args.out, f"{name}.decode.jsonl.gz"), decode_cases(sp, random.Random(11), 500))
        with open(os.path.join(args.out, f"{name}.meta.json"), "w") as f:
            json.dump(meta(sp), f, indent=1)
            f.write("\n")
        print(f"{name}: {sp.get_piece_size()} pieces, {len(model)} bytes", file=sys.stderr)

    # A unigram model (identity normalizer): valid for sentencepiece, refused by the Java loader (BPE only).
    uni = train([s for s in corpus if s.isascii()][:3000],
                **dict(GEMMA_LIKE, model_type="unigram", vocab_size=300, byte_fallback=False,
                       user_defined_symbols=[], control_symbols=[]))
    with open(os.path.join(args.out, "unigram.model"), "wb") as f:
        f.write(uni)

    # A model the Java loader must refuse: a non-identity normalizer with a precompiled charsmap
    # (only the first pieces of tiny.model are kept: the loader refuses the file before it looks at them).
    proto = pb.ModelProto.FromString(open(os.path.join(args.out, "tiny.model"), "rb").read())
    del proto.pieces[16:]
    proto.normalizer_spec.name = "nmt_nfkc"
    proto.normalizer_spec.precompiled_charsmap = b"\x08\x00\x00\x00not-a-real-charsmap"
    with open(os.path.join(args.out, "nfkc.model"), "wb") as f:
        f.write(proto.SerializeToString())


if __name__ == "__main__":
    main()
