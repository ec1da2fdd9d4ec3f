"""Caption text -> the YAMNet (AudioSet) classes it names: the pseudo-tags of the caption bank.

Each class is named by the comma-separated parts of its display name ("Chicken, rooster" ->
"chicken", "rooster"; parentheses dropped) plus a short table of words AudioCaps annotators use
for it ("talks" for Speech, "geese" for Goose). Words are compared after a light suffix
stripping (`stem`), so "barking" and "barks" both name Bark. A phrase names a class when its
stemmed words occur consecutively in the caption.
"""

from __future__ import annotations

import re

# Words annotators use for a class beyond its display name: class name -> extra phrases.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "Speech": ("talk", "talks", "talking", "speak", "speaks", "speaking", "speech", "says",
               "voice", "voices", "narrat", "announcer", "announcement", "conversation"),
    "Male speech, man speaking": ("man talks", "man talking", "man speaks", "men talk",
                                  "male voice", "man says"),
    "Female speech, woman speaking": ("woman talks", "woman talking", "woman speaks",
                                      "women talk", "female voice", "woman says", "lady"),
    "Child speech, kid speaking": ("child talks", "kid talks", "child speaks", "children talk"),
    "Laughter": ("laugh", "laughs", "laughing"),
    "Baby cry, infant cry": ("baby cries", "baby crying", "infant crying"),
    "Crying, sobbing": ("cry", "cries", "crying"),
    "Walk, footsteps": ("step", "steps", "walking", "walks"),
    "Applause": ("applaud", "applauding", "clap"),
    "Dog": ("dogs", "puppy", "puppies"),
    "Bark": ("barks", "barking"),
    "Cat": ("kitten", "cats"),
    "Meow": ("meows", "meowing"),
    "Cattle, bovinae": ("cow", "cows", "bull"),
    "Bleat": ("baa", "baaing"),
    "Goose": ("geese",),
    "Chicken, rooster": ("hen", "hens", "chickens", "cock"),
    "Crowing, cock-a-doodle-doo": ("crows", "crowing"),
    "Bird vocalization, bird call, bird song": ("birds chirp", "birds sing", "bird sings",
                                                 "birds singing", "bird chirps"),
    "Roaring cats (lions, tigers)": ("lion", "tiger"),
    "Insect": ("insects", "bug", "bugs"),
    "Bee, wasp, etc.": ("bees", "buzzing bee"),
    "Rodents, rats, mice": ("rat", "rats", "squeaking mouse"),
    "Music": ("song", "melody", "tune", "musical"),
    "Aircraft": ("plane", "airplane", "jet", "planes", "aircraft"),
    "Fixed-wing aircraft, airplane": ("plane", "airplane", "planes"),
    "Vehicle": ("vehicles", "traffic"),
    "Car": ("cars", "automobile"),
    "Vehicle horn, car horn, honking": ("horn", "honks", "honking"),
    "Emergency vehicle": ("siren", "sirens"),
    "Train": ("trains", "railroad"),
    "Boat, Water vehicle": ("boat", "boats"),
    "Engine": ("engines", "motor", "motors"),
    "Idling": ("idles", "idling"),
    "Accelerating, revving, vroom": ("revs", "revving", "accelerates", "accelerating"),
    "Gunshot, gunfire": ("gun", "guns", "gunshots", "shots", "shooting"),
    "Explosion": ("explodes", "exploding", "blast"),
    "Fireworks": ("firework",),
    "Thunder": ("thunders", "thundering"),
    "Rain": ("raining", "rainfall"),
    "Wind": ("windy", "blowing"),
    "Water": ("splashing", "flowing", "trickling"),
    "Stream": ("river", "brook", "creek"),
    "Waves, surf": ("waves", "wave", "surf"),
    "Toilet flush": ("toilet", "flush", "flushes", "flushing"),
    "Water tap, faucet": ("faucet", "tap water", "sink"),
    "Typing": ("types", "typing", "keyboard"),
    "Telephone": ("phone", "phones", "telephone"),
    "Telephone bell ringing": ("phone rings", "phone ringing", "telephone rings"),
    "Door": ("doors", "door"),
    "Knock": ("knocks", "knocking"),
    "Bell": ("bells", "rings", "ringing"),
    "Siren": ("sirens",),
    "Hammer": ("hammering", "hammers"),
    "Sawing": ("saw", "saws"),
    "Power tool": ("drill", "drilling"),
    "Sewing machine": ("sewing",),
    "Snoring": ("snores", "snoring"),
    "Frying (food)": ("frying", "fries", "sizzles", "sizzling"),
    "Whistling": ("whistles", "whistling"),
    "Singing": ("sings", "singing", "sing"),
    "Glass": ("glasses",),
    "Shatter": ("shatters", "shattering", "smash"),
    "Clock": ("ticks", "ticking", "tick tock"),
    "Camera": ("shutter",),
    "Vacuum cleaner": ("vacuum", "vacuuming"),
    "Fire": ("flames", "burning", "burns", "fireplace", "campfire"),
    "Crackle": ("crackles", "crackling"),
    # classes whose display name alone is too ambiguous to name them (see AMBIGUOUS): without
    # these no caption names them, and the retrieval ignores what the tagger heard
    "Chop": ("chopping", "chops", "chopped", "axe", "hatchet"),
    "Wood": ("wood", "wooden", "log", "logs"),
    "Whip": ("whip", "whips", "whipping"),
    "Arrow": ("arrow", "arrows"),
    "Tap": ("tapping", "taps"),
    "Rattle": ("rattle", "rattles", "rattling"),
    "Rub": ("rubbing", "rubs"),
    "Roll": ("rolling", "rolls"),
    "Stir": ("stirring", "stirs"),
    "Splinter": ("splintering", "splinters"),
    "Run": ("running footsteps", "person running", "someone running", "runs by", "jogging"),
    "Shuffle": ("shuffling feet", "shuffles"),
    "Crow": ("crow caws", "crows caw", "crow cawing", "crows cawing"),
    "Mechanical fan": ("fan", "fans"),
    "Air conditioning": ("air conditioner", "air conditioning"),
    "Drawer open or close": ("drawer", "drawers"),
    "Cupboard open or close": ("cupboard", "cupboards", "cabinet"),
}

# The AudioSet ontology's sound -> source links among animal classes (parent: children): a
# caption naming the child ("clip-clop", "oinking") names its source class too.
CHILDREN: dict[str, tuple[str, ...]] = {
    "Dog": ("Bark", "Yip", "Howl", "Bow-wow", "Growling", "Whimper (dog)"),
    "Cat": ("Purr", "Meow", "Caterwaul"),
    "Horse": ("Clip-clop", "Neigh, whinny"),
    "Cattle, bovinae": ("Moo",),
    "Pig": ("Oink",),
    "Goat": ("Bleat",),
    "Sheep": ("Bleat",),
    "Chicken, rooster": ("Cluck", "Crowing, cock-a-doodle-doo"),
    "Turkey": ("Gobble",),
    "Duck": ("Quack",),
    "Goose": ("Honk",),
    "Roaring cats (lions, tigers)": ("Roar",),
    "Bird": ("Bird vocalization, bird call, bird song", "Chirp, tweet", "Squawk"),
    "Pigeon, dove": ("Coo",),
    "Crow": ("Caw",),
    "Owl": ("Hoot",),
    "Frog": ("Croak",),
}

# Display-name parts too ambiguous in captions to name their class alone
# ("planes fly", "a tap of water", "a pop song").
AMBIGUOUS = {"fly", "tap", "run", "hands", "patter", "pop", "roll", "rattle", "chop", "static",
             "noise", "sampler", "harmonic", "pulse", "country", "ska", "funk", "soul music",
             "grunge", "arrow", "flap", "whip", "crow", "wood", "liquid", "hum", "humming",
             "tapping", "writing", "chorus effect", "sonar", "echo", "field recording", "rub",
             "splinter", "tools", "mechanisms", "wheeze", "run", "shuffle", "fill", "stir"}

# Umbrella classes of the AudioSet ontology and recording conditions: YAMNet scores them high
# beside the specific class, and a caption naming only the umbrella ("animals make noise") says
# less than one naming the specific sound; they name nothing here.
GENERIC = {"Animal", "Domestic animals, pets", "Livestock, farm animals, working animals",
           "Wild animals", "Fowl", "Vehicle", "Motor vehicle (road)", "Musical instrument",
           "Sound effect", "Inside, small room", "Inside, large room or hall",
           "Inside, public space", "Outside, urban or manmade", "Outside, rural or natural",
           "Silence", "Cacophony", "Environmental noise", "Noise", "Mechanisms", "Tools"}

_WORD = re.compile(r"[a-z]+")


def stem(word: str) -> str:
    """A light, consistent suffix stripper: barking/barks/barked -> bark; running -> run;
    horse/horses -> hors, sneeze/sneezes/sneezing -> sneez (a final e of 5+ letters goes, as
    the suffixes take it with them)."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # running -> runn -> run
            break
    if len(word) >= 5 and word.endswith("e"):
        word = word[:-1]  # horse -> hors, as horses -> hors
    return word


def words(text: str) -> list[str]:
    """Lower-cased stemmed words of `text` (letters only)."""
    return [stem(w) for w in _WORD.findall(text.lower())]


def class_phrases(names: list[str]) -> list[list[tuple[str, ...]]]:
    """For each class, the stemmed phrases that name it: its display name and SYNONYMS, and
    those of its CHILDREN."""
    out: list[list[tuple[str, ...]]] = []
    for name in names:
        if name in GENERIC:
            out.append([])
            continue
        parts = _own_parts(name) + [p for child in CHILDREN.get(name, ()) for p in _own_parts(child)]
        phrases = {tuple(words(p)) for p in parts}
        out.append(sorted(p for p in phrases if p))
    return out


def _own_parts(name: str) -> list[str]:
    """The phrases of a class's display name (parentheses dropped, ambiguous parts left out)
    and its SYNONYMS, as written."""
    parts = [re.sub(r"\(.*?\)", "", p).strip().lower() for p in name.split(",")]
    return [p for p in parts if p and p not in AMBIGUOUS and p != "etc."] + list(SYNONYMS.get(name, ()))


def tag_caption(text: str, phrases: list[list[tuple[str, ...]]]) -> list[int]:
    """Indices of the classes `text` names (sorted)."""
    toks = words(text)
    grams = {tuple(toks[i:i + n]) for n in (1, 2, 3) for i in range(len(toks) - n + 1)}
    return [k for k, ps in enumerate(phrases) if any(p in grams for p in ps)]
