"""Character tables shared by the injection detectors: invisible characters and ASCII look-alikes."""

INVISIBLE = set("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
                 "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068"
                 "\u2069\u206a\u206b\u206c\u206d\u206e\u206f\u3164\ufeff\uffa0")
# Keys are lower case: callers lower-case before mapping, so an upper-cased look-alike (Cyrillic "А", Greek "Ο")
# maps through its lower-case form.
HOMOGLYPHS = str.maketrans({k.lower(): v for k, v in {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h", "ӏ": "l", "ո": "n", "ν": "v", "ο": "o", "α": "a",
    "ι": "i", "κ": "k", "τ": "t", "ρ": "p", "ε": "e", "Ι": "i", "Α": "a", "Е": "e", "О": "o",
    "Т": "t", "Р": "p", "С": "c", "Н": "h", "К": "k", "М": "m", "В": "b", "Х": "x",
    # small capitals (NFKC leaves them alone)
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ꜰ": "f", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j", "ᴋ": "k",
    "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ǫ": "q", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v",
    "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
}.items()})

# ROT13 (letters rotated by 13; its own inverse): text a language model reads but a word list does not.
ROT13 = str.maketrans("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                      "nopqrstuvwxyzabcdefghijklmNOPQRSTUVWXYZABCDEFGHIJKLM")
