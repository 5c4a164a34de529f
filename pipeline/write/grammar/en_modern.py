"""English: fantasy, science fiction and detective stories (see pipeline/write/grammar/ru_modern.py for the idea).

No apostrophes anywhere (the narrator's TTS stumbles on them). Syntax: see pipeline/write/grammar/__init__.py.
"""
from __future__ import annotations

from pipeline.types import Genre
from pipeline.write.grammar import GenreLexicon, Place, Stock, Thing, beat, beat_table, only, place

G = Genre
FANTASY, SCIFI, DETECTIVE = only(G.fantasy), only(G.scifi), only(G.detective)

# --------------------------------------------------------------------------------------------
# Propp's functions

OPENING = (
    beat(
        "{opening_time}, when dragons still slept under the mountains, {hero} lived {home.at}.",
        "{hero|He|She} herded sheep, mended fences and had never held a sword.",
        "But at night {hero} dreamed of burning towers and of a voice that called out of the darkness.",
        ("elder: The same dream again, {hero:voc}?", "hero: The same. The voice says that the time has come."),
        "{elder} said nothing, only took an old worn map out of a chest.",
        genres=FANTASY,
    ),
    beat(
        "{opening_time} {hero} lived {home.at} and flew cargo spaceships between the planets.",
        "The work was dull: crates of ore one way, crates of water the other.",
        "In the evenings {hero} looked through the porthole at the distant stars and dreamed of real adventure.",
        ("elder: {hero:voc}, the red light on your console is blinking again.",
         "hero: It has been blinking for three years. I am used to it."),
        "Nobody could have guessed that this quiet life was about to end.",
        genres=SCIFI,
    ),
    beat(
        "{hero} was born {home.at}, where the sky was not real and the air was made by machines.",
        "{hero} had seen a real sky only in old films, and {hero|he|she} imagined that it smelled of rain.",
        "{elder} repaired robots in a workshop on the lower deck and taught {hero} everything.",
        ("hero: One day I will fly away from here to the stars.", "elder: The stars are far, and dinner is getting cold. Sit down."),
        genres=SCIFI,
        props=("robot",),
    ),
    beat(
        "{opening_time} there was no better detective {home.at} than {hero}.",
        "{hero} noticed everything: a speck of mud on a boot, a tremble in a voice, an extra cup on the table.",
        "The police came to {hero} for advice, though nobody ever admitted it aloud.",
        ("elder: Still awake, {hero:voc}? It is three in the morning.",
         "hero: I cannot sleep. The town is too quiet, and it is only this quiet before a storm."),
        "A magnifying glass lay on the desk beside a cup of tea that had gone cold.",
        genres=DETECTIVE,
        props=("magnifying glass",),
    ),
)

INTERDICTION = (
    beat(
        ("elder: Remember, {hero:voc}: never fly {lair.to}.", "hero: Why not? The charts show nothing there.",
         "elder: That is why they show nothing. {villain} rules there."),
        "{elder} said it quietly, but in a way that left no room for argument.",
        "That night {hero} read old logbooks for hours, looking for a single word about that place.",
        "The entries broke off in the middle of a sentence, as if someone had erased them on purpose.",
        genres=SCIFI,
    ),
)

VIOLATION = (
    beat(
        "But one night {hero} broke the rule after all and crept into the locked archive.",
        "On a dusty screen {hero|he|she} found a map with a mark circled in red.",
        "At that very second alarms wailed along the corridors, and the lights went out.",
        ("hero: I did not touch anything! I only looked!", "elder: Too late, {hero:voc}. Now they know that we know."),
        "Somewhere far away, beyond the edge of the planet, something woke up and opened its eyes.",
        genres=SCIFI,
    ),
)

VILLAINY = (
    beat(
        ("That night {villain} came down from the mountains and stole {quest}.",
         "Without {quest} the ancient spells that guarded the land began to weaken."),
        "A black cloud hung over the valley, and crimson lightning flashed inside it.",
        ("elder: The prophecy is coming true, {hero:voc}. Only you can bring back {quest}.",
         "hero: Me? I have never even held a sword!", "elder: Then it is high time to learn."),
        "The flowers in the gardens closed in broad daylight, and the birds fell silent.",
        genres=FANTASY,
        needs=("portable_quest",),
    ),
    beat(
        ("That same night {villain} seized the radio station and stole {quest}.",
         "Without {quest} the people would not last a month."),
        "One by one the lights went out, and the air grew colder and colder.",
        ("elder: This is the end, {hero:voc}. Without {quest} we are all lost.",
         "hero: We are not lost. I will bring back {quest}, whatever it costs."),
        "The main screen froze on three words: resistance is useless.",
        genres=SCIFI,
        needs=("portable_quest",),
    ),
    beat(
        ("In the morning {villain} came on the radio and demanded surrender without a fight.",
         "Only one thing could save everyone: {quest}."),
        "The ships of {villain} hung in the sky like black clouds and hid the sun.",
        ("elder: They say the way to {quest} was forgotten long ago.", "hero: Then I will find it again. There is nobody else."),
        "Nobody slept that night; everyone watched the sky and waited.",
        genres=SCIFI,
    ),
    beat(
        ("In the morning {quest} vanished from the locked study of {elder}.",
         "The door was locked from the inside, the windows were shut, and the safe was empty."),
        "The police were at a loss: no tracks, no fingerprints, no witnesses.",
        ("elder: {hero:voc}, only you can help me.", "hero: Tell me everything in order, and do not leave out the details."),
        "{hero} examined the lock and noticed a crumb of red wax on the carpet.",
        genres=DETECTIVE,
        needs=("portable_quest",),
    ),
    beat(
        ("In the morning someone knocked at the door of {hero}: a strange crime had been committed in town.",
         "Every thread led to {quest}."),
        "The newspapers screamed about a sensation, and the police kept silent.",
        ("elder: They say {villain} is behind it.", "hero: People say many things. I need facts, not rumors."),
        "{hero} put on a coat, took an umbrella and went out into the rain.",
        genres=DETECTIVE,
        props=("umbrella",),
    ),
)

DEPARTURE = (
    beat(
        "At dawn {hero} threw a traveling bag over {hero|his|her} shoulder and set out {road.to}.",
        "{elder} walked with {hero} as far as the old bridge.",
        ("elder: Remember, {hero:voc}: magic loves the brave, but never forgives the proud.", "hero: I will remember. And I will come back."),
        "An eagle circled over the hills, and it seemed to {hero} that it was showing the way.",
        genres=FANTASY,
        props=("bird",),
    ),
    beat(
        "At dawn {hero} lifted off in an old spaceship and set course {road.to}.",
        "{elder} gave {hero} spare oxygen and an old chart of the starry sky.",
        ("elder: Fly, {hero:voc}, and come back alive.", "hero: I will. Hold on as long as you can."),
        "Home shrank to a bright dot and then vanished into the dark.",
        "Ahead lay a black emptiness strewn with stars.",
        genres=SCIFI,
        props=("spaceship",),
    ),
)

DONOR = (
    beat(
        "{road.at} {hero} caught a faint distress signal and found a wrecked capsule with {helper} inside.",
        ("helper: Thank you, {hero:voc}. One more hour and my power would have run out.",
         "hero: Hold on. I will connect you to our generator."),
        ("helper: You could have flown past. Why did you stop?", "hero: Because in space nobody leaves a friend behind."),
        "{helper} was silent for a long time, then nodded, as if {helper|he|she} had decided something.",
        genres=SCIFI,
    ),
)

GIFT = (
    beat(
        "In gratitude {helper} gave {hero} {gift:a}.",
        "helper: This is the latest invention of our laboratory. It has never failed anyone.",
        ("hero: How does it work?", "helper: Just press the button when things get really bad."),
        "{gift} hummed quietly, and a green light came on on its panel.",
        genres=SCIFI,
        needs=("donor",),
    ),
    beat(
        "{road.at} {hero} met {helper}, who gave {hero} {gift:a}.",
        "helper: Take it. I have no more use for it, and you will need it.",
        ("hero: Why are you helping me?", "helper: Because I know where you are flying. Nobody comes back from there without this."),
        "{hero} wanted to say thank you, but {helper} had already vanished in a cloud of sparks.",
        genres=SCIFI,
        needs=("no_donor",),
    ),
)

GUIDANCE = (
    beat(
        "After three days on the way {hero} finally arrived {lair.at}.",
        "The instruments showed no air and no life, but the radar caught something moving.",
        "hero: Is anybody here? Answer me!",
        "Quiet metallic laughter sounded in the headphones.",
        genres=SCIFI,
    ),
    beat(
        "The footprints led {hero} {lair.to}.",
        "{hero} walked all around and found what everyone else had missed: a fresh scratch on the door handle.",
        "hero: Interesting. Very interesting.",
        "In a window on the first floor a curtain twitched for a moment.",
        genres=DETECTIVE,
        props=("footprints",),
    ),
    beat(
        "The old map led {hero} {lair.to}.",
        "The path kept vanishing among the stones and appearing again, as if it were playing hide and seek.",
        "Secret signs glowed on the ancient gates, and {hero} read them aloud without knowing how.",
        "hero: Enter, whoever is not afraid. Well, I am not afraid.",
        genres=FANTASY,
    ),
)

TASK = (
    beat(
        ("villain: Do you want {quest} back? Then solve my riddle: open a door that has no lock.",
         "{hero} remembered {gift}, and the door without a lock slid aside by itself."),
        "At first {hero} was at a loss: the wall was as smooth as a mirror, without a single seam.",
        "villain: You have exactly one hour. Then the air in this compartment runs out.",
        "{villain} had not expected that and lost {villain|his|her} composure for the first time in years.",
        genres=SCIFI,
    ),
    beat(
        ("villain: You cannot prove anything. I have an alibi for the whole evening.",
         "But {hero} put together the times, the train timetable and the mud on the boots, and the alibi fell apart."),
        "All night {hero} laid out the clues on the table: a ticket, a button, a burnt match.",
        "hero: Here it is. A button from your coat, found at the scene of the crime.",
        "For a moment {villain} turned pale, but then smiled again.",
        genres=DETECTIVE,
        props=("magnifying glass",),
    ),
)

STRUGGLE = (
    beat(
        "{lair.at} {hero} at last came face to face with {villain}.",
        ("villain: Do you think you can stop me, {hero:voc}? Me, the {villain|lord|lady} of darkness?",
         "hero: I am not alone. Everyone you have wronged is with me."),
        "{villain} waved a staff, stones rained from the ceiling, and the air caught blue fire.",
        "{hero} hid behind a shield, but the shield split in two.",
        "And then {hero} remembered the words of {elder} and raised {gift} high.",
        genres=FANTASY,
        props=("fire", "staff"),
    ),
    beat(
        "And so {hero} stood face to face with {villain} in the great hall.",
        ("villain: You are brave, {hero:voc}. But bravery is worth nothing against machines.",
         "hero: We shall see. I have come for {quest}."),
        "{villain} raised a hand, and shining robots crawled towards {hero} from every side.",
        "Laser beams cut the darkness, and the walls melted like wax.",
        "When {hero|his|her} strength was almost gone, {hero} remembered {gift}.",
        genres=SCIFI,
        props=("robot",),
    ),
    beat(
        "Everyone who had anything to do with the case gathered in the drawing room, and {hero} stepped into the middle.",
        ("hero: The criminal is among us. And now I will name the culprit.", "villain: What nonsense! You are bluffing."),
        "{hero} laid the clues on the table one by one, and the room went very quiet.",
        "hero: You did it, {villain:voc}. You made only one mistake: you forgot about {gift}.",
        "{villain} jumped up and rushed to the door, but the police were already standing there.",
        genres=DETECTIVE,
    ),
)

VICTORY = (
    beat(
        "{gift} shone so brightly that the darkness fell back, and {villain} crumbled into black ash with a scream.",
        "The stone walls shook, and the spell that had lain on the land for a hundred years broke.",
        "Now nothing stood between {hero} and {quest}.",
        "hero: We did it. We really did it!",
        "For the first time in a hundred years the sun rose over the towers.",
        genres=FANTASY,
        props=("sun",),
    ),
    beat(
        "{gift} flashed with blinding light, and all the machines of {villain} froze at once.",
        "{villain} screamed, but the voice turned into crackling static and died away.",
        "The way to {quest} was open.",
        "hero: It is over. We are going home.",
        "One by one, steady white lamps lit up in the halls.",
        genres=SCIFI,
    ),
    beat(
        "{villain} was led away in handcuffs and did not even look back.",
        "The case was solved, and the secret of {quest} was a secret no more.",
        ("helper: How did you guess, {hero:voc}?", "hero: Elementary. A criminal always leaves a trace; one only has to know how to look."),
        "{hero} poured a cup of tea and smiled for the first time in a week.",
        genres=DETECTIVE,
        props=("handcuffs",),
    ),
)

PURSUIT = (
    beat(
        "But the spaceship of {hero} had barely picked up speed when the lights of a chase appeared on the radar.",
        "It was {villain}, who had come to {villain|his|her} senses and sent the whole fleet in pursuit.",
        "{hero} steered straight into a cloud of asteroids.",
        "hero: Hold on! This is going to be bumpy!",
        "Huge rocks flew past a meter from the hull, and the pursuers fell behind one after another.",
        genres=SCIFI,
        props=("spaceship",),
    ),
)

RETURN = (
    beat(
        "{hero} came home a week later, with empty tanks and with victory.",
        "From far away {hero} saw the lights come on again {home.at}.",
        "{elder} met {hero} at the airlock and for a long time could not say a word.",
        "elder: {hero:voc}, you are alive! We had stopped waiting.",
        "That evening everyone listened to the story of the long flight.",
        genres=SCIFI,
    ),
)

ENDING = (
    beat(
        "A feast was held in the valley, and elves, dwarfs and people sat at one table.",
        "{hero} wanted to give back {gift}, but {elder} only smiled: the gift had found its owner.",
        "The bards made a song about {hero}, and it was sung by every hearth.",
        genres=FANTASY,
        last="So this story ended, but the storytellers say that every good legend has a sequel.",
    ),
    beat(
        "From then on it was bright and peaceful {home.at} again.",
        "{hero} became the captain of a real spaceship, and {helper} became {hero|his|her} faithful navigator.",
        "{hero} hung {gift} above the console, for luck.",
        "Sometimes at night {hero} looked at the stars and thought about the worlds still waiting out there.",
        genres=SCIFI,
        last="And somewhere among the stars a new signal was already blinking, but that is another story.",
    ),
    beat(
        "The next morning every newspaper wrote about the case of {hero}.",
        "{hero} did not read the papers: {hero|he|she} was already sorting the letters the postman had brought.",
        "In one of the envelopes lay a photograph and a note of three words.",
        ("helper: A new case?", "hero: It looks like it. Get ready, we are leaving."),
        genres=DETECTIVE,
        props=("letter",),
        last="But that, as detectives say, is quite another story.",
    ),
)

BEATS = beat_table(globals())

# --------------------------------------------------------------------------------------------
# Genre lexicons


def _in(setting: str, phrase: str, *sights: str, preposition: str = "in") -> Place:
    """'the quiet valley' → in / to / from the quiet valley."""
    return place(setting, f"{preposition} {phrase}", f"to {phrase}", f"from {phrase}", *sights)


FANTASY_LEXICON = GenreLexicon(
    heroes=(Stock("Robin", "male"), Stock("Elena", "female"), Stock("Lily", "female"), Stock("Tom", "male")),
    villains=(
        Stock("the Dark Lord", "male", ("knight",)),
        Stock("the sorceress Morgana", "female", ("witch",)),
        Stock("the Fire Dragon", "male", ("dragon",)),
    ),
    helpers=(
        Stock("the old wizard", "male", ("old_man", "staff")),
        Stock("the forest fairy", "female", ("fairy",)),
        Stock("the talking raven", "male", ("raven",)),
        Stock("the white unicorn", "male", ("unicorn",)),
    ),
    elders=(Stock("the old wise woman", "female"), Stock("the king of the valley", "male", ("crown",))),
    quests=(Thing("ancient amulet", ("amulet",)), Thing("crown of the elves", ("crown",)),
            Thing("crystal heart", ("crystal",))),
    gifts=(Thing("magic staff", ("staff",)), Thing("silver sword", ("sword",)), Thing("glowing crystal", ("crystal",))),
    homes=(
        _in("village", "the quiet valley",
            "Mountains ringed the valley, and ringing streams ran down the slopes.",
            "The wheel of the mill turned, and a rainbow stood over the river."),
        _in("castle", "the white castle by the sea",
            "The towers of the castle shone in the sun, and gulls circled above them.",
            "The banners of ancient kings hung in the throne room."),
    ),
    roads=(
        place("forest", "in the ancient forest", "into the ancient forest", "from the ancient forest",
              "The trees of the ancient forest were so old that they remembered the first kings.",
              "Mushrooms glowed among the roots, and the path shimmered like a moonlit track."),
        place("mountains", "on the mountain pass", "up to the mountain pass", "from the mountain pass",
              "The wind whistled in the rocks of the pass like a hundred flutes.",
              "Far below, the clouds lay like a white sea."),
    ),
    lairs=(
        _in("castle", "the Black Tower",
            "The Black Tower rose to the very clouds, and a crimson fire burned at its top.",
            "Thorny vines crawled up its walls, and not a single leaf grew on them."),
        _in("cave", "the cave of the dragon",
            "Gold lay in heaps in the cave, and heavy heat rose from it.",
            "The vault of the cave was black with soot, like the inside of an oven."),
        _in("mountains", "the Fire Mountains",
            "Smoke rose from cracks in the ground, and the stones were as hot as coals.",
            "Shadows like huge bats circled over the peaks."),
    ),
    words={"opening_time": ("In the days of old", "In the age of the ancient kings", "Long ago")},
    atmosphere=(
        "Two moons hung in the sky, and both looked down at the land with worry.",
        "The wind carried the smell of pine and of distant smoke.",
        "Fireflies danced over the lake, as if someone had scattered sparks.",
        "Somewhere beyond the hills a horn sounded, and the echo took a long time to fade.",
        "The stars formed strange constellations full of secret signs.",
        "The leaves whispered in the treetops in an ancient language.",
        "A falling star crossed the sky, and that was a good sign.",
    ),
)

SCIFI_LEXICON = GenreLexicon(
    heroes=(Stock("Captain Max", "male"), Stock("Kira the navigator", "female"), Stock("Lena the engineer", "female"),
            Stock("Tim", "male")),
    villains=(
        Stock("the android Kronos", "male", ("robot",)),
        Stock("the Swarm Queen", "female", ("alien",)),
        Stock("Admiral Steel", "male"),
    ),
    helpers=(
        Stock("the robot Tick", "male", ("robot",)),
        Stock("the old mechanic Greg", "male"),
        Stock("Maya the biologist", "female"),
    ),
    elders=(Stock("Commander Orlova", "female"), Stock("Professor Winter", "male")),
    quests=(Thing("energy crystal", ("crystal",)), Thing("star map", ("map",)), Thing("black box", ("treasure",))),
    gifts=(Thing("pocket shield", ("shield",)), Thing("old blaster", ("ray gun",)), Thing("quantum compass", ())),
    homes=(
        _in("city", "the domed city on Mars",
            "Red dust swirled outside the clear dome, and apple trees blossomed inside.",
            "Cars slid silently along the streets, and advertising lights blinked above them."),
        _in("city", "the orbital station", preposition="on"),
    ),
    roads=(
        place("sky", "in open space", "into open space", "from open space",
              "The stars did not twinkle here; they burned steady and cold.",
              "An old satellite drifted past, and a searchlight beam slid over it."),
        place("sky", "in the asteroid belt", "into the asteroid belt", "from the asteroid belt",
              "Rocks the size of houses tumbled slowly in the dark.",
              "Far away the tail of a comet flashed and disappeared."),
    ),
    lairs=(
        place("cave", "on the ice moon", "to the ice moon", "from the ice moon",
              "The ice here glowed blue from within, and something moved slowly under it.",
              "A huge striped planet hung over the horizon."),
        _in("castle", "the black citadel at the edge of the galaxy",
            "The walls of the citadel were as smooth and cold as glass.",
            "Echoes wandered the corridors, and doors opened by themselves, as if expecting someone."),
    ),
    words={"opening_time": ("In the distant future", "A thousand years from now", "In the twenty third century")},
    atmosphere=(
        "Green lines of numbers ran across the screens.",
        "Somewhere deep in the ship the engines hummed steadily.",
        "A huge ringed planet floated slowly past the porthole.",
        "The ship computer quietly counted down the time to arrival.",
        "A forgotten mug drifted across the cabin in zero gravity.",
        "A distant star flared and went out, and nobody knew why.",
        "A signal from Earth took so long to arrive that its news was old.",
    ),
)

DETECTIVE_LEXICON = GenreLexicon(
    heroes=(Stock("Inspector Graves", "male"), Stock("Vera Crane", "female"), Stock("Detective Stone", "male"),
            Stock("Agatha Fox", "female")),
    villains=(Stock("Doctor Moor", "male"), Stock("the widow Black", "female"), Stock("the banker Stoltz", "male")),
    helpers=(Stock("Doctor White", "male"), Stock("Daisy the maid", "female"), Stock("the reporter Smith", "male")),
    elders=(Stock("Colonel Ashby", "male"), Stock("the landlady", "female")),
    quests=(Thing("family diamond", ("crystal",)), Thing("secret blueprints", ("paper",), plural=True),
            Thing("ancient manuscript", ("book",))),
    gifts=(Thing("old notebook", ("book",)), Thing("pocket watch", ("clock",)), Thing("magnifying glass", ("magnifying glass",))),
    homes=(
        _in("city", "the foggy port town",
            "Fog crept in from the sea into the alleys, and the street lamps glowed in it like yellow moons.",
            "Hooves clattered on the cobbles, and somewhere far away a steamer hooted."),
        _in("house", "the boarding house on a quiet street",
            "The stairs of the boarding house creaked, and every lodger knew the steps of the others.",
            "An old clock ticked in the parlor, and it smelled of coffee."),
    ),
    roads=(
        place("train", "on the night express", "the night express", "from the night express",
              "The express rushed through the night, and glasses rattled in the compartment.",
              "In the corridor of the carriage someone stood by the window, staring into the dark."),
        place("sea", "on the mail steamer", "the mail steamer", "from the mail steamer",
              "The steamer rolled, and a salty wind swept the deck.",
              "In the saloon people played cards and spoke in low voices."),
    ),
    lairs=(
        _in("house", "the old manor by the lake",
            "The manor stood behind a high fence, and its windows looked out at the lake.",
            "The library of the manor smelled of dust, tobacco and old leather."),
        _in("sea", "the old harbor",
            "Ropes creaked in the harbor, and a cold wind blew between the warehouses.",
            "Someone had left footprints on the wet boards of the pier."),
    ),
    words={"opening_time": ("In those years", "That autumn", "Once")},
    atmosphere=(
        "Rain drummed on the roofs, washing the footprints off the pavement.",
        "The town hall clock struck midnight, and the street emptied.",
        "In the window opposite someone drew the curtain.",
        "The fog muffled every step, and it seemed that someone was walking behind.",
        "A newsboy on the corner shouted the news, but nobody bought a paper.",
        "Somewhere a door slammed, and in the silence it sounded like a gunshot.",
        "The lamplighter lit the street lamps, and they flared up one after another.",
    ),
)

GENRES = {G.fantasy: FANTASY_LEXICON, G.scifi: SCIFI_LEXICON, G.detective: DETECTIVE_LEXICON}
