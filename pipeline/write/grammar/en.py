"""English: the text of every Propp function, and each genre's lexicon. Syntax: see pipeline/write/grammar/__init__.py.

No apostrophes anywhere (the narrator's TTS stumbles on them): "did not", "the cloak of the witch".
Things take an article form: {gift:a} "a silver key" on first mention, {gift} "the silver key" after.
"""
from __future__ import annotations

from pipeline.types import Gender, Genre
from pipeline.write.grammar import (
    MAGIC,
    REALISTIC,
    GenreLexicon,
    LanguagePack,
    Place,
    SettingWord,
    Stock,
    Thing,
    beat,
    beat_table,
    merge_beats,
    only,
    place,
)
from pipeline.write.grammar import en_modern

G = Genre
FOLK = only(G.fairy_tale, G.bylina, G.comedy)

# --------------------------------------------------------------------------------------------
# Propp's functions

OPENING = (
    beat(
        "{opening_time} {hero} lived {home.at}.",
        "{hero|He|She} was neither the strongest nor the richest, but {hero|his|her} heart was kind.",
        "Every morning {hero} went out on the porch and looked for a long time at the road that ran away over the hills.",
        "Next door lived {elder}, who knew a great many old stories.",
        ("elder: Do not sit idle. Work does not do itself.", "hero: There is time. I feel that everything is about to change."),
    ),
    beat(
        "{opening_time} nobody {home.at} was as bored as {hero}.",
        "{hero|He|She} longed for adventures, but adventures never came.",
        "{elder} only shook {elder|his|her} head and said that everything has its time.",
        ("hero: Will nothing ever happen to me?", "elder: It will, oh, it will. Only do not complain afterwards."),
        "Nobody knew then how soon those words would come true.",
    ),
    beat(
        "Once upon a time, in a kingdom far away, there lived {hero}.",
        "{hero|He|She} lived {home.at} with {elder}, poor but happy.",
        "By day they worked, and in the evenings they sang songs by the stove and listened to the crackling logs.",
        "People said that {hero} had both a clever head and a good heart.",
        ("elder: Oh, {hero:voc}, my heart tells me our quiet days will not last.", "hero: Do not worry. What will be, will be."),
        genres=only(G.fairy_tale),
    ),
    beat(
        "In glorious Kiev, the capital city, at the court of gracious {elder}, there lived the mighty {hero|warrior|warrior maiden} {hero}.",
        "Strength flowed through the veins of {hero}, so much strength that it weighed like a heavy burden.",
        "{hero} had no equal, neither in the open field nor at the feasting table.",
        ("elder: Hail to you, {hero:voc}! Go and serve the Russian land.", "hero: I will serve it, {elder:voc}, with truth and faith."),
        "Even the white swans flying over Kiev dipped their wings to greet {hero}.",
        genres=only(G.bylina),
    ),
    beat(
        "{home.at} there lived {hero}, who had a very high opinion of {hero|himself|herself}.",
        "{hero} told everyone how clever {hero|he|she} was and how well {hero|he|she} could do anything at all.",
        "The neighbors listened, nodded and quietly laughed.",
        ("hero: There is nobody in the world cleverer than me!", "elder: Do not boast on your way to battle. Boast on your way back."),
        genres=only(G.fable),
    ),
    beat(
        "That year {hero} lived {home.at} and worked as a clerk at the post office.",
        "Life flowed slowly and evenly, like a river on a windless day.",
        "In the evenings {hero} drank tea by the window and read old letters again and again.",
        "Nearby lived {elder}, strict but fair.",
        ("elder: You should go somewhere for once, {hero:voc}.", "hero: Where would I go? Everything I love is here."),
        genres=only(G.novella),
    ),
    beat(
        "{opening_time} {hero} lived {home.at}, and there was nobody more absent-minded in the whole county.",
        "Once {hero} put boots on {hero|his|her} hands and spent the whole day wondering why it was so hard to hold a spoon.",
        "Another time {hero|he|she} searched half a day for a hat that was sitting right on {hero|his|her} head.",
        ("elder: {hero:voc}, your boots do not match again!", "hero: But they are both left ones, so nobody will notice."),
        "The neighbors loved {hero}: life was never boring with {hero|him|her} around.",
        genres=only(G.comedy),
    ),
    beat(
        "{hero} was born {home.at}, and from early childhood everyone said a remarkable fate was waiting for {hero|him|her}.",
        "{hero|He|She} was proud and honest, and such people are rarely happy.",
        "A candle always burned in the house, and {elder} said that while it burned, no trouble would come.",
        ("elder: Take care of yourself, {hero:voc}. Pride leads to grief.", "hero: I am not afraid of grief. I am afraid of living in vain."),
        genres=only(G.tragedy),
    ),
    beat(
        "Everyone {home.at} knew {hero}: {hero|he|she} was one of those who cannot stay silent in the face of injustice.",
        "People loved {hero|him|her} for that honesty, and for the same honesty they disliked {hero|him|her}.",
        "{hero} argued with {elder} almost every evening, yet could not live a single day without {elder|him|her}.",
        ("elder: You take too much upon yourself, {hero:voc}.", "hero: And who will take it, if not me?"),
        genres=only(G.drama),
    ),
    beat(
        "This story is told in a whisper, when the lights go out.",
        "{hero} moved {home.to} in late autumn, when the days grew short and the nights grew long.",
        "The locals gave {hero} strange looks and did not answer a greeting.",
        "At night the floorboards creaked in the empty rooms, as if someone were pacing from corner to corner.",
        ("hero: It is so quiet here. Why does nobody go outside?", "elder: Because sensible people stay at home after dark."),
        genres=only(G.horror),
    ),
)

INTERDICTION = (
    beat(
        ("elder: Listen carefully, {hero:voc}. Never go {lair.to}.", "hero: Why not?",
         "elder: {villain} lives there, and nobody has ever come back."),
        "{elder} said it so sternly that {hero} felt uneasy.",
        "But, as everybody knows, a warning only makes one more curious.",
        "All night {hero} tossed and turned, wondering what was hidden {lair.at}.",
        genres=MAGIC,
    ),
    beat(
        ("elder: Whatever happens, do not open the door to strangers after sunset.", "hero: All right, I promise."),
        "{hero} promised, though {hero|he|she} did not understand why such strictness was needed.",
        "That evening {elder} stared out of the window for a long time and said nothing.",
        ("hero: Are you afraid of something?", "elder: I am afraid for you. That is enough."),
        genres=MAGIC,
    ),
    beat(
        ("elder: Remember: after sunset, do not leave the house, and do not answer if someone calls.",
         "hero: And if they call me by name?", "elder: Then even more so."),
        "{elder} hung a bunch of dry wormwood over the door and whispered something for a long time.",
        "{hero} smiled: in the city nobody had believed such tales for years.",
        "But that night someone outside the window really did call {hero} softly by name.",
        genres=only(G.horror),
    ),
    beat(
        ("elder: Hear me, {hero:voc}! Do not ride {lair.to}, for {villain} sits there.",
         "hero: I fear neither fire nor sword, {elder:voc}."),
        "{hero} bowed low, but thought: I shall ride there and see for myself.",
        "Old people said that {villain} was strong and cunning and had slain many mighty warriors.",
        genres=only(G.bylina),
    ),
    beat(
        ("elder: Do not cross {villain}, {hero:voc}. That kind never forgives a debt or an insult.",
         "hero: And if the truth is on my side?", "elder: The truth belongs to those with money. It was always so."),
        "{hero} said nothing, but {hero|his|her} eyes showed that the argument was not over.",
        "That night {hero} could not sleep: the words of {elder} gave {hero|him|her} no rest.",
        "The clock ticked behind the wall, and every tick seemed to ask: well, what will you decide?",
        genres=REALISTIC,
    ),
)

VIOLATION = (
    beat(
        "But one day {hero} broke the rule after all.",
        "As soon as {elder} was gone, {hero} flung the door wide open and looked out into the dark.",
        "The wind burst into the house, blew out the candle and carried away the warm smell of bread.",
        "Somewhere far off a laugh rang out, and a shiver ran down the spine of {hero}.",
        "{hero} slammed the door, but it was already too late.",
        genres=MAGIC,
    ),
    beat(
        "A few days passed, and {hero} forgot the warning.",
        "That evening {hero|he|she} sat up late and did not notice the sun go down.",
        ("Suddenly there was a knock at the door, and a strange voice asked for a drink of water.",
         "hero: Who is there?", "villain: A kind traveler. Open up, I only want some water.",
         "{hero} opened the door, and {villain} stepped into the house like a cold shadow."),
        genres=MAGIC,
    ),
    beat(
        "Of course, {hero} mixed everything up: instead of staying at home, {hero|he|she} went off to the fair.",
        "At the fair {hero|he|she} bought a talking parrot, a leaky umbrella and a whole sack of bagels.",
        ("hero: What could possibly happen in one evening?", "elder: Anything at all, if you are the one in charge."),
        "Meanwhile, back at home, a window swung open, and somebody climbed in.",
        genres=only(G.comedy),
    ),
    beat(
        "However, {hero} ignored the advice and went to see {villain} in person.",
        "The conversation was short and heavy.",
        ("hero: You have no right to treat people like this.", "villain: Rights, {hero:voc}, belong to those who can buy them."),
        "On the way home {hero} understood that {hero|he|she} had made a dangerous enemy.",
        genres=REALISTIC,
    ),
)

VILLAINY = (
    beat(
        ("That very night {villain} came and did great harm.",
         "It was said that everything could be put right only by finding {quest}."),
        "The most precious things people had were gone: their peace and their joy.",
        ("elder: Trouble has come, {hero:voc}. We cannot manage without {quest}.", "hero: Then I will find {quest}."),
        "People hid in their houses, and even the dogs stopped barking.",
        genres=MAGIC - {G.horror},
    ),
    beat(
        "In the night {villain} swooped down and carried off {quest}.",
        "For many years {quest} had been kept {home.at} and had protected people from harm.",
        ("elder: Woe to us, {hero:voc}! Without {quest} everything here will perish.",
         "hero: Do not grieve, {elder:voc}. I will bring back {quest}, whatever it costs."),
        "In the morning the fields were covered with frost, though it was the middle of summer.",
        genres=MAGIC - {G.horror},
        needs=("portable_quest",),
    ),
    beat(
        ("From that night on, people all around began to disappear.",
         "The old people whispered that only {quest} could stop the evil."),
        "First the shepherd vanished, then the miller, then the little girl next door.",
        "In the mornings footprints were found that led to the house of {hero} and stopped at the very threshold.",
        "Everyone whispered that {villain} had come back for new souls.",
        ("hero: I will not sit and wait for them to come for me.",
         "elder: Then look for {quest}. They say it is the only way to stop the evil."),
        genres=only(G.horror),
    ),
    beat(
        ("Soon {villain} took the last thing the family of {hero} had: the house where three generations had grown up.",
         "There was only one hope left: to find {quest}."),
        "The papers had been drawn up cleverly, and the court took the side of the rich.",
        ("elder: What will become of us now?", "hero: I do not know. But I will not let this stand."),
        "{hero} did not sleep all night, and towards morning packed a traveling bag.",
        genres=REALISTIC,
    ),
)

DEPARTURE = (
    beat(
        "In the morning {hero} got ready and set out {road.to}.",
        "{elder} gave {hero} a loaf of bread and a hug goodbye.",
        ("elder: Go, {hero:voc}, and come back alive.", "hero: I will come back, I promise."),
        "The road wound between the hills, and {hero} walked on without looking back.",
        "Behind lay the familiar roofs; ahead lay the unknown.",
        genres=MAGIC,
    ),
    beat(
        "Whether it took a long time or a short time, {hero} had to leave home.",
        "{hero} set out {road.to} at dawn, when mist still hung over the grass.",
        "In {hero|his|her} pocket lay a handful of nuts, and in {hero|his|her} heart lived hope.",
        "hero: Well, road, take me where I need to go.",
        "The birds saw {hero} off with a ringing song.",
        genres=FOLK | {G.fable},
    ),
    beat(
        "{hero} began to saddle a horse and make ready for the long road.",
        "People saw {hero} mount the horse, but nobody saw how {hero|he|she} rode out of the yard.",
        "The horse ran, the earth shook, and clods of soil flew from under its hooves.",
        "hero: Now, my good horse, do not fail me in the open field!",
        "Rivers and lakes passed beneath the hooves, and dark forests flashed by like a dream.",
        genres=only(G.bylina),
        props=("horse",),
    ),
    beat(
        "Early in the morning {hero} boarded {road.to} and left without saying goodbye to anyone.",
        "It was stuffy and crowded, and it smelled of smoke and wet coats.",
        "{hero} looked out of the window and thought about everything that was being left behind.",
        "hero: There is no way back. So, only forward.",
        genres=REALISTIC,
    ),
    beat(
        "At night, when everyone was asleep, {hero} quietly slipped out of the house.",
        "The lantern threw a trembling circle of light on the road, and beyond its edge began a thick darkness.",
        "Somewhere an owl hooted, and {hero} flinched.",
        "hero: It is only a bird. Only a bird.",
        "But for a long while light footsteps could be heard somewhere behind.",
        genres=only(G.horror),
        props=("lantern", "owl"),
    ),
)

DONOR = (
    beat(
        "On the way {hero} met {helper}, tired and hungry, and shared the last piece of bread.",
        ("helper: Thank you, {hero:voc}. I was completely worn out.", "hero: Sit down and rest. There is still water in my flask."),
        ("helper: You have a kind soul. Tell me, where are you going?", "hero: I am looking for {quest}, but I do not know the way."),
        "{helper} looked at {hero} for a long time, as if checking whether {hero|he|she} was telling the truth.",
        "helper: Very well. I will help you as best I can.",
        genres=MAGIC,
    ),
    beat(
        ("At the crossroads {helper} was waiting for {hero}.",
         "helper: Guess my riddle, and I will help you. No hands, no feet, yet it opens the gate. What is it?",
         "hero: It is the wind."),
        "{helper} laughed, and the laughter sounded like rustling leaves.",
        "helper: Right. You have a clever head, {hero:voc}.",
        genres=MAGIC,
    ),
    beat(
        "{road.at} {hero} fell into conversation with {helper}.",
        ("helper: I can see you are not traveling for pleasure.", "hero: No. I am going to look for the truth."),
        "{helper} listened carefully, without interrupting, and only nodded now and then.",
        "helper: The truth is hard to find. But I think I know where to begin.",
        "Gray fields stretched past the window, and the conversation quietly went on deep into the night.",
        genres=REALISTIC,
    ),
    beat(
        "At the edge of the wood {hero} saw {helper} dragging a heavy load, and helped to carry it.",
        "At first {hero} wanted to walk past: there was plenty to do already. But {hero|his|her} conscience would not allow it.",
        "helper: Thank you. A good deed is never wasted.",
        genres=only(G.fable),
    ),
)

GIFT = (
    beat(
        "At a fork in the road {hero} met {helper}, who gave {hero|him|her} {gift:a}.",
        "helper: Take it, do not be afraid. It knows whom to serve.",
        ("hero: What have I done to deserve such a gift?", "helper: You did not walk past the trouble of another."),
        "{hero} bowed to the ground, and when {hero|he|she} looked up, the road was empty.",
        genres=MAGIC,
        needs=("no_donor",),
    ),
    beat(
        "{road.at} {hero} made friends with {helper}, and at parting {helper|he|she} gave {hero} {gift:a}.",
        "helper: Take it. I have no use for it any more, but you might.",
        "{hero} turned the gift over and over, not understanding what it could be for.",
        genres=REALISTIC,
        needs=("no_donor",),
    ),
    beat(
        "In gratitude {helper} gave {hero} {gift:a}.",
        "helper: Take good care of {gift}. In a difficult hour it will save you.",
        ("hero: But how do I use it?", "helper: Your heart will tell you."),
        "{hero} carefully hid the gift and bowed low.",
        "When {hero} turned around, {helper} was already gone without a trace.",
        genres=MAGIC,
        needs=("donor",),
    ),
    beat(
        "{helper} took out {gift:a} and handed it to {hero}.",
        "helper: Take it. Without it you will never get the better of {villain}.",
        "{gift} began to glow softly, as if it recognized its new {hero|master|mistress}.",
        ("hero: Thank you. How can I ever repay you?", "helper: Just come back alive. That is all the payment I need."),
        genres=MAGIC,
        needs=("donor",),
    ),
    beat(
        "At parting {helper} gave {hero} {gift:a}.",
        "helper: This may come in handy. I do not need it any more.",
        "{hero} did not understand at once how valuable the thing in {hero|his|her} hands was.",
        ("hero: Why are you helping me?", "helper: Because once, long ago, nobody helped me."),
        genres=REALISTIC,
        needs=("donor",),
    ),
)

GUIDANCE = (
    beat(
        "The road led {hero} {lair.to}.",
        "The further {hero} went, the quieter it became all around.",
        "First the birds fell silent, then the wind died down, and then even footsteps began to sound muffled.",
        "hero: I think I am here. Hello? Is anybody there?",
        "The only answer was silence.",
    ),
    beat(
        "{gift} showed the way {lair.to}.",
        "For three days and three nights {hero} walked through forests and marshes.",
        "{hero|His|Her} legs ached, but {hero} did not stop.",
        "On the third day {hero} saw ahead what {hero|he|she} had been looking for so long.",
        "hero: There it is, the den of {villain}.",
        genres=FOLK | {G.fable},
    ),
    beat(
        "At midnight {hero} came {lair.to}.",
        "The lantern flickered and went out, as if someone in the dark were blowing on it.",
        "Dry twigs cracked underfoot, or perhaps they were not twigs at all.",
        "hero: I am not afraid, do you hear? Not afraid at all.",
        "Somewhere very close, someone laughed quietly.",
        genres=only(G.horror),
        props=("lantern",),
    ),
    beat(
        "The address that {helper} had written on a scrap of paper led {hero} {lair.to}.",
        "A gloomy servant opened the door and for a long time would not let {hero} in.",
        ("hero: Tell them I have come on business that cannot wait.", "villain: Let the visitor in. We shall hear it."),
        "{hero} went in, and the door closed behind {hero|him|her} with a dull thud.",
        genres=REALISTIC,
    ),
)

TASK = (
    beat(
        ("villain: Since you are here, do my task: in one night, count all the stars in the sky.",
         "But {hero} remembered {gift}, and the stars lined up by themselves in neat rows."),
        "And yet at first {hero} had been at a loss: there were more stars than grains of sand on the seashore.",
        "villain: And if you fail, you have only yourself to blame. I will check in the morning.",
        "hero: Done. There are exactly as many stars as there are grains of sand in your hourglass.",
        "{villain} counted them and only ground {villain|his|her} teeth.",
        genres=MAGIC,
        props=("star",),
    ),
    beat(
        ("villain: You want the truth? Bring me proof. By tomorrow morning.",
         "{hero} spent the whole night over old papers, and by morning found what {hero|he|she} was looking for."),
        "There was little time, the candle burned low, and the bills and receipts seemed endless.",
        "hero: Here it is. Now there is no way out for {villain}.",
        genres=REALISTIC,
        props=("candle",),
    ),
)

STRUGGLE = (
    beat(
        "And so {hero} met {villain} face to face, and the battle began.",
        ("villain: Why have you come here? Only death awaits you.",
         "hero: I have come for {quest}. Give it back by fair means."),
        "{villain} roared so loudly that the ground trembled, and rushed at {hero}.",
        "They fought for a long time: now {hero} had the upper hand, now {villain}.",
        "Strength was running out when {hero} remembered {gift}.",
        genres=MAGIC - {G.horror},
    ),
    beat(
        "{hero} and {villain} rode together in the open field.",
        "They fought from morning till evening, and from evening till midnight; their horses sank knee-deep into the earth.",
        ("villain: Hey, {hero:voc}! You shall never see the white light again!", "hero: Do not boast, {villain:voc}, before the battle!"),
        "A wind rose, the sky grew dark, and the birds cried out in flight.",
        "{hero} swung with all {hero|his|her} might, and just then {gift} proved its worth.",
        genres=only(G.bylina),
    ),
    beat(
        "{hero} and {villain} met, and the strangest battle in the world began.",
        "{villain} waved a poker, and {hero} fought back with a leaky umbrella.",
        ("villain: Surrender! I am the most terrible villain in the county!", "hero: Your shoelaces are untied."),
        "{villain} looked down, stepped on a shoelace and fell flat on the ground.",
        "Even the crows on the fence rolled about with laughter.",
        genres=only(G.comedy),
    ),
    beat(
        "{villain} crept up to {hero} and began to speak sweetly.",
        ("villain: Oh, {hero:voc}, how fine you look! They say you have a wonderful voice. Sing me a song!",
         "hero: I know your little songs. You will not fool me!"),
        "{villain} took offense and started a fight, but only managed to step on {villain|his|her} own paw.",
        "Just then {hero} remembered {gift}.",
        genres=only(G.fable),
    ),
    beat(
        "{villain} stepped out of the darkness.",
        "The eyes of {villain} burned with a cold light, and the walls grew frost from that breath.",
        "villain: At last you have come. I have waited for you so long.",
        "{hero} wanted to run, but {hero|his|her} feet seemed rooted to the floor.",
        ("hero: What do you want?", "villain: You. I have only ever wanted you."),
        genres=only(G.horror),
    ),
    beat(
        "The talk with {villain} took place that same evening.",
        ("villain: You came here in vain, {hero:voc}. Nobody will believe you.", "hero: They will. I have proof."),
        "{villain} turned pale, but quickly regained composure.",
        ("villain: How much do you want for your silence?", "hero: I am not for sale."),
        "The room grew so quiet that the ticking of the clock could be heard.",
        genres=REALISTIC,
        props=("clock",),
    ),
)

VICTORY = (
    beat(
        "{gift} flared with a bright light, and {villain} crumbled into dust.",
        "The wind carried the ashes far beyond the mountains, and at once it grew light.",
        "{hero} found {quest}, and {hero|his|her} heart leapt with joy.",
        "hero: It is over. Now we can go home.",
        "The sun rose over the land, and birds sang that nobody had heard for such a long time.",
        genres=only(G.fairy_tale, G.bylina),
        props=("sun",),
    ),
    beat(
        "The tricks of {villain} did not help: {hero} turned out to be cleverer.",
        "{villain} put {villain|his|her} tail between {villain|his|her} legs and ran off into the thicket, and that was the last anyone saw.",
        "hero: Well, well! Not so terrible after all.",
        "All the animals came out of their holes and praised {hero}, and {hero} was only too glad to hear it.",
        genres=only(G.fable),
    ),
    beat(
        "{villain} was so embarrassed by the defeat that {villain|he|she} promised never to do evil again.",
        ("villain: All right, all right, you win! Just do not tell anyone.", "hero: Too late. All the crows already know."),
        "{hero} got {quest}, and a box of sweets as an apology into the bargain.",
        "For a long time {hero} giggled, remembering how {villain} had tumbled in the dust.",
        genres=only(G.comedy),
    ),
    beat(
        "{hero} won, but the victory came at a terrible price.",
        "The heart of {hero} could not bear all that had happened, and {hero} fell ill with a fever.",
        "villain: You have won, but it will change nothing.",
        "{villain} left, and {hero} sat alone in the empty room for a long time, looking at {hero|his|her} trembling hands.",
        "The truth had triumphed, but there was no joy in it.",
        genres=only(G.tragedy),
    ),
    beat(
        "{hero} raised {gift} high, and {villain} retreated into the darkness with a howl.",
        "The walls shook, the doors slammed by themselves, and suddenly everything went still.",
        "hero: Is it really over?",
        "But in the silence it seemed to {hero} that someone was breathing very close.",
        genres=only(G.horror),
    ),
    beat(
        "A week later the case was decided in favor of {hero}.",
        "{villain} left town, and nobody ever heard of {villain|him|her} again.",
        ("helper: You have done the impossible, {hero:voc}.", "hero: I simply did not give up."),
        "{hero} stepped out into the street and for the first time in many days took a deep breath.",
        genres=only(G.novella, G.drama),
    ),
)

PURSUIT = (
    beat(
        "But {hero} had gone barely a mile when the noise of a chase was heard behind.",
        "{villain} had come to {villain|his|her} senses and rushed in pursuit.",
        "{hero} threw a comb over {hero|his|her} shoulder, and a dense forest rose up behind.",
        "While {villain} was struggling through the thicket, {hero} was already far away.",
        "hero: Faster, faster, if only I can make it before dawn!",
        genres=MAGIC - {G.horror},
        props=("comb",),
    ),
    beat(
        "{hero} ran back without feeling the ground underfoot.",
        "Behind, someone was following step by step, breathing down {hero|his|her} neck.",
        "Looking back was forbidden, {hero} knew that for certain.",
        "hero: Do not turn around. Just do not turn around, and everything will be fine.",
        genres=only(G.horror),
    ),
    beat(
        "On the way home {hero} noticed that someone was following.",
        "A man in a gray coat walked behind and turned wherever {hero} turned.",
        "{hero} dived into the crowd at the market and vanished between the stalls.",
        "hero: You will not get me. Nothing can stop me now.",
        genres=REALISTIC,
    ),
)

RETURN = (
    beat(
        "{hero} came home at dawn.",
        "From far away {hero} saw the familiar roofs and the smoke above the chimneys.",
        "{elder} ran out to meet {hero} and for a long time could not say a word.",
        "elder: {hero:voc}, alive! We had almost given up hope of seeing you again.",
        "Nobody worked that day: everyone listened to the stories of {hero}.",
        genres=MAGIC,
    ),
    beat(
        "The way back seemed twice as short.",
        "The trees bowed as {hero} passed, and the streams babbled merrily about the victory.",
        "hero: Here I am, home again. And it feels as if a whole life has passed.",
        "{home.at} everything was as before, only {hero} had changed.",
        genres=FOLK | {G.fable},
    ),
    beat(
        "{hero} came home the same way, late in the evening.",
        "Nobody was waiting, and {hero} walked through the familiar streets.",
        "The town was asleep, and a light burned in only one window: {elder} was waiting for {hero}.",
        ("elder: Well? Did you do it?", "hero: I did. But at what cost, you cannot imagine."),
        genres=REALISTIC,
    ),
)

RECOGNITION = (
    beat(
        "Not everyone believed the stories of {hero}.",
        "A braggart turned up who swore that it was he who had defeated {villain}.",
        ("hero: If it was you, tell me what I keep close to my heart.", "elder: Well, why are you silent?"),
        "{hero} took out {gift}, and everyone understood at once who was telling the truth.",
        "The braggart was driven out in disgrace, and {hero} was given the seat of honor.",
        genres=MAGIC,
    ),
    beat(
        "In the evening the neighbors gathered at the house of {elder}.",
        "Everyone wanted to see {hero} and hear everything first hand.",
        ("elder: I always knew you would make something of yourself.", "hero: And I did not. I had to find out."),
        "{hero} was embarrassed, but it was plain that {hero|he|she} was pleased.",
    ),
)

ENDING = (
    beat(
        "And {hero} lived happily, growing richer and wiser every year.",
        "As for {villain}, nobody ever saw {villain|him|her} again.",
        "They held a feast for the whole world, and everyone at that feast danced till they dropped.",
        "I was there too, I drank honey and ale; it ran down my beard but never reached my mouth.",
        genres=only(G.fairy_tale),
        last="And that is the end of the tale, and well done to all who listened.",
    ),
    beat(
        "From then on nobody {home.at} was afraid of the dark or of {villain}.",
        "{hero} took {helper} into the house, and they lived together in friendship and joy.",
        "And {gift} was kept in the most honored place, for good luck.",
        genres=only(G.fairy_tale),
        last="A tale is a lie, but there is a hint in it, and a lesson for the wise.",
    ),
    beat(
        "{hero} rode back to the glorious city of Kiev, to {elder}.",
        "Everyone, young and old, began to sing the glory of {hero}.",
        "And {villain} was never seen or heard of again.",
        "elder: Glory to you, {hero:voc}! The Russian land will never forget you.",
        genres=only(G.bylina),
        last="So they sing the glory of {hero} to this day, and to us, good people, it is a lesson.",
    ),
    beat(
        "{hero} feasted for three days and three nights at the oaken tables.",
        "The gusli players sang how {hero} had defeated {villain}, and those songs spread over the whole land.",
        "And a saying went round among the people: where {hero} is, there is the truth.",
        genres=only(G.bylina),
        last="And here the bylina ends.",
    ),
    beat(
        "From then on {hero} never boasted in vain.",
        "{helper} became the best friend of {hero}.",
        "And {villain} wandered around the neighborhood for a long time, complaining about fate to everyone.",
        genres=only(G.fable),
        last="And the moral of this fable is: {moral}",
    ),
    beat(
        "Years went by.",
        "{hero} often remembered that road and the people {hero|he|she} had met along the way.",
        "Life flowed evenly again, but now it had meaning.",
        ("helper: You have not changed at all, {hero:voc}.", "hero: I have. It just does not show on the outside."),
        genres=only(G.novella),
        last="And {gift} still lies on the desk of {hero} to this day, a keepsake of that autumn.",
    ),
    beat(
        "In the evening there was a party, and {hero} danced so hard that the cake landed right on {villain}.",
        "villain: There you go, it is all my fault again!",
        "Everyone laughed so much that the cows next door stopped chewing in surprise.",
        "And the parrot next door retold this story to every guest for a long time afterwards.",
        genres=only(G.comedy),
        last="Ever since, people {home.at} say: where {hero} goes, laughter and miracles follow.",
    ),
    beat(
        "Strength left {hero} with every passing day.",
        "{elder} never left the bedside, but could do nothing to help.",
        ("hero: Do not cry. I did everything I had to do.", "elder: I wish you had never gone away."),
        "Outside the window the first snow was falling, quiet and indifferent.",
        genres=only(G.tragedy),
        last="At dawn {hero} died, and the candle in the house went out forever.",
    ),
    beat(
        "{hero} came back, but the house was empty: {elder} had not lived to see that day.",
        "A lonely birch grew on the grave, and the wind stirred its thin branches.",
        "hero: What is this victory to me now, if there is nobody to share it with?",
        "People came with words of comfort, but words did not help.",
        genres=only(G.tragedy),
        last="{hero} was left alone in the whole wide world and never smiled again.",
    ),
    beat(
        "Justice had won, but {hero} had lost a great deal: friends, peace, and the old faith in people.",
        ("elder: You have become someone else, {hero:voc}.", "hero: I have grown up. It hurts, but it will pass."),
        "On long evenings {hero} sat by the window and wondered whether it had been worth it.",
        genres=only(G.drama),
        last="In the morning {hero} opened the window, breathed in the cold air and, for the first time in a long while, smiled.",
    ),
    beat(
        "Since then it has been quiet {home.at}, and people no longer disappear.",
        "{hero} never told anyone what {hero|he|she} saw that night.",
        "Only sometimes, on the darkest nights, {hero|he|she} woke to a soft knocking at the window.",
        genres=only(G.horror),
        last="And if you listen closely, you can hear a whisper: I am still here. I am still waiting.",
    ),
)

BEATS = beat_table(globals())

# --------------------------------------------------------------------------------------------
# Genre lexicons


def places(setting: str, phrase: str, *sights: str, on: bool = False) -> Place:
    """'the dark forest' → in / to / from the dark forest ('on' places: on the old steamer)."""
    return place(setting, f"{'on' if on else 'in'} {phrase}", f"to {phrase}", f"from {phrase}", *sights)


def way(setting: str, phrase: str, *sights: str, on: bool = True) -> Place:
    """A road one sets out along: 'set out along the long road', 'into the open field'."""
    to = f"along {phrase}" if on else f"into {phrase}"
    return place(setting, f"{'on' if on else 'in'} {phrase}", to, f"from {phrase}", *sights)


FAIRY_TALE = GenreLexicon(
    heroes=(Stock("Ivan", "male"), Stock("Vasilisa", "female"), Stock("Mary", "female"), Stock("Jack", "male")),
    villains=(
        Stock("Koschei the Deathless", "male", ("skeleton",)),
        Stock("Baba Yaga", "female", ("witch",)),
        Stock("the three-headed Dragon", "male", ("dragon",)),
    ),
    helpers=(
        Stock("the Gray Wolf", "male", ("wolf",)),
        Stock("the little old man of the woods", "male", ("old_man",)),
        Stock("the Firebird", "female", ("firebird",)),
        Stock("the talking pike", "female", ("fish",)),
    ),
    elders=(Stock("the old king", "male", ("crown",)), Stock("Grandmother", "female"), Stock("the old father", "male")),
    quests=(Thing("apples of youth", ("apple",), plural=True), Thing("water of life", ("bottle",)),
            Thing("golden feather", ("feather",)), Thing("magic mirror", ("mirror",))),
    gifts=(Thing("magic ball of yarn", ("yarn",)), Thing("cap of invisibility", ("hat",)),
           Thing("enchanted sword", ("sword",)), Thing("silver ring", ("ring",))),
    homes=(
        places("village", "the small village",
               "The huts stood in a row, and their carved shutters looked at the street like kind eyes.",
               "Women chatted by the well, and geese marched proudly down the street."),
        places("castle", "the royal palace",
               "The palace was tall and painted, with golden cockerels on the roof.",
               "The rooms smelled of pies, and embroidered cushions lay on the benches."),
    ),
    roads=(
        way("road", "the long road",
               "The road wound between the fields, and there was no end to it.",
               "By the roadside stood a stone with words carved on it: go right, and you will find happiness.",
               on=True),
        way("field", "the open field",
               "The wind roamed the open field, and the feather grass bent to the ground.",
               "A hawk circled over the field, looking for prey.", on=False),
    ),
    lairs=(
        places("forest", "the deep dark forest",
               "The fir trees stood like a wall, and sunlight barely broke through the branches.",
               "In a clearing stood a hut on chicken legs, creaking as it turned."),
        places("castle", "the gloomy castle beyond the mountains",
               "The castle walls were as black as soot, and not a single light burned in the windows.",
               "Rusty chains hung over the gates and jingled softly in the wind."),
        places("swamp", "the deadly marsh",
               "Mist hung over the marsh, and the tussocks swayed underfoot.",
               "Somewhere in the reeds a bittern boomed."),
    ),
    words={"opening_time": ("Long, long ago", "In days of old", "Once")},
    atmosphere=(
        "Somewhere beyond the forest a cuckoo was counting the years of someone.",
        "The sun shone gently, as if it were smiling.",
        "The moon peeped out from behind a cloud and winked.",
        "A magpie on a branch chattered about everything in the world.",
        "White mist rose over the river like milk boiling over.",
        "The grass stood tall, up to the waist, and smelled of honey.",
        "The wind sang its long song.",
        "The stars spilled across the sky like peas from a sack.",
    ),
)

BYLINA = GenreLexicon(
    heroes=(Stock("Ilya Muromets", "male"), Stock("Dobrynya Nikitich", "male"), Stock("Alyosha Popovich", "male"),
            Stock("Nastasya the warrior maiden", "female")),
    villains=(
        Stock("Zmey Gorynych", "male", ("dragon",)),
        Stock("Nightingale the Robber", "male", ("bandit",)),
        Stock("Tugarin Zmeyevich", "male", ("giant",)),
    ),
    helpers=(
        Stock("the wandering pilgrim", "male", ("old_man",)),
        Stock("the old giant Svyatogor", "male", ("knight",)),
        Stock("the wise raven", "male", ("crow",)),
    ),
    elders=(Stock("Prince Vladimir", "male", ("crown",)), Stock("Prince Svyatoslav", "male", ("crown",))),
    quests=(Thing("golden cup", ("cup",)), Thing("treasury of the prince", ("chest",)), Thing("wondrous shield", ("shield",))),
    gifts=(Thing("sword Kladenets", ("sword",)), Thing("mighty bow", ("bow",)), Thing("steel mace", ("mace",))),
    homes=(
        places("city", "the glorious city of Kiev",
               "White stone palaces stood above the Dnieper, and their domes blazed in the sun.",
               "In the courtyard of the prince an honorable feast was roaring, and the gusli rang."),
    ),
    roads=(
        way("field", "the open field",
               "Wild winds roamed the open field, bending the silken grass to the ground.",
               "A gray eagle circled above the field, watching who rode along the road.", on=False),
        way("road", "the straight road",
               "The straight road was overgrown with grass: for thirty years nobody had ridden it.",
               "By the road lay a burning stone with ancient words carved on it.",
               on=True),
    ),
    lairs=(
        places("mountains", "the Sorochinsky mountains",
               "The mountains stood high and steep, and deep dark caves gaped in them.",
               "The stones there lay scorched, as if licked by flame."),
        places("forest", "the dense Bryn forests",
               "The Bryn forests stood dark and dense: no beast roamed them, no bird flew.",
               "Oaks grew there nine arm spans around, and robber nests were woven in them."),
        places("river", "the Smorodina river",
               "The Smorodina river ran fast, its water boiling like a cauldron.",
               "The Kalinov bridge spanned the river, and it shook under some great weight.",
               on=True),
    ),
    words={"opening_time": ("In the olden days", "In the glorious times", "Long ago")},
    atmosphere=(
        "The red sun rolled across the sky, watching the battle of the mighty.",
        "Wild winds howled, and the silken grass bowed to the ground.",
        "Gray wolves howled in the ravines, and black ravens cawed.",
        "Mother Earth trembled under the thunder of hooves.",
        "A stormy cloud hung over the land and wept with heavy rain.",
        "White clouds sailed across the sky like swans.",
        "Fast rivers roared, telling of glorious deeds of old.",
        "Bright stars lit up above the steppe.",
    ),
)

FABLE = GenreLexicon(
    heroes=(Stock("the Crow", "female", ("crow",)), Stock("the Hare", "male", ("hare",)),
            Stock("the Monkey", "female", ("monkey",)), Stock("the Donkey", "male", ("donkey",))),
    villains=(Stock("the Fox", "female", ("fox",)), Stock("the Wolf", "male", ("wolf",)), Stock("the Bear", "male", ("bear",))),
    helpers=(Stock("the Ant", "male", ("ant",)), Stock("the Owl", "female", ("owl",)), Stock("the Hedgehog", "male", ("hedgehog",))),
    elders=(Stock("the old Tortoise", "female", ("turtle",)), Stock("the wise Eagle Owl", "male", ("owl",))),
    quests=(Thing("piece of cheese", ("cheese",)), Thing("sack of nuts", ("nuts",)), Thing("barrel of honey", ("honey",))),
    gifts=(Thing("piece of good advice", ()), Thing("old pipe", ("pipe",)), Thing("strong rope", ("rope",))),
    homes=(
        places("forest", "the sunny clearing at the edge of the wood",
               "Daisies grew in the clearing, and bees buzzed above them.",
               "An old oak spread its branches, and all the animals rested in its shade."),
        places("field", "the wide meadow",
               "The meadow was bright with flowers, and grasshoppers chirped without rest.",
               "In the middle of the meadow stood a haystack, warm and fragrant."),
    ),
    roads=(
        way("forest", "the forest path",
               "The path ran between the birches, now diving into a gully, now climbing a hillock.", on=True),
        way("river", "the bank of the stream",
               "The stream babbled over the stones and chattered to itself.", on=True),
    ),
    lairs=(
        places("cave", "the dark burrow", "The burrow smelled damp, and roots hung from the walls."),
        places("forest", "the dense fir thicket", "It was dim in the fir thicket, and the needles were soft underfoot."),
    ),
    words={
        "opening_time": ("Once", "Long ago", "Once upon a time"),
        "moral": (
            "help others, and others will help you.",
            "do not boast too early, and learn to admit your mistakes.",
            "cunning is good, but friendship is stronger.",
            "the weak who stand together will beat the strong who stand alone.",
        ),
    },
    atmosphere=(
        "The animals of the forest fell silent, waiting to see how it would end.",
        "The magpie spread the news through the whole forest faster than the wind.",
        "The sun was warm, and flies buzzed lazily in the grass.",
        "Somewhere a woodpecker was knocking, as if counting the mistakes of others.",
        "The frogs in the pond croaked over one another, discussing the news.",
        "A squirrel on a pine gnawed a nut and pretended not to hear anything.",
    ),
)

_REAL_HOMES = (
    places("city", "the small provincial town",
           "The streets of the town were crooked and unpaved, and after the rain nobody could walk them.",
           "A church stood on the square, and opposite it a tavern, and neither was ever empty."),
    places("village", "the quiet village by the river",
           "The village stretched along the river, and in the mornings mist rose over the water.",
           "Beyond the fence began the fields, and beyond the fields the forest showed blue."),
)
_REAL_ROADS = (
    place("train", "on the night train", "the night train", "from the night train",
          "The carriage swayed, and cold tea trembled in the glass.",
          "The lights of small stations flashed past the window and vanished into the dark."),
    place("river", "on the old steamer", "the old steamer", "from the old steamer",
          "The steamer slapped the water with its paddles, and gulls cried over the stern.",
          "The deck smelled of the river, of coal and of fresh bread from the buffet."),
)
_REAL_LAIRS = (
    places("house", "the old mansion on the hill",
           "The mansion stood behind an iron fence, and its windows were tightly curtained.",
           "The hallway smelled of wax and old books."),
    places("city", "the noisy capital",
           "The capital buzzed like a beehive: cab drivers, traders, newspaper boys.",
           "The houses there were tall and cold, and nobody looked anybody in the eye."),
)

NOVELLA = GenreLexicon(
    heroes=(Stock("Peter", "male"), Stock("Anna", "female"), Stock("Nicholas", "male"), Stock("Vera", "female")),
    villains=(Stock("the merchant Khmurov", "male"), Stock("the landowner Mrs Grymova", "female"),
              Stock("the steward Kryukov", "male")),
    helpers=(Stock("the old doctor", "male"), Stock("the schoolteacher Olga", "female"), Stock("the fellow traveler Simon", "male")),
    elders=(Stock("Father", "male"), Stock("Mother", "female"), Stock("the old aunt", "female")),
    quests=(Thing("old will", ("paper",)), Thing("missing letter", ("letter",)), Thing("old diary", ("book",))),
    gifts=(Thing("old lantern", ("lantern",)), Thing("notebook", ("book",)), Thing("pocket watch", ("clock",))),
    homes=_REAL_HOMES,
    roads=_REAL_ROADS,
    lairs=_REAL_LAIRS,
    words={"opening_time": ("In those years", "Back then")},
    atmosphere=(
        "That year the autumn was long and warm.",
        "It had been raining since morning, fine and stubborn.",
        "Somewhere behind the wall someone was playing an out of tune piano.",
        "The leaves fell slowly, as if unwillingly.",
        "In the evenings the lamps were lit, and the town became cozier.",
        "The wind tore at the posters and chased scraps of newspaper along the pavement.",
        "Life went on as usual, and nobody cared about the troubles of others.",
    ),
)

COMEDY = GenreLexicon(
    heroes=(Stock("Thomas", "male"), Stock("Martha", "female"), Stock("Emelya", "male"), Stock("Dunya", "female")),
    villains=(
        Stock("Koschei the Deathless", "male", ("skeleton",)),
        Stock("Baba Yaga", "female", ("witch",)),
        Stock("the Water Goblin", "male", ("swamp_creature",)),
    ),
    helpers=(
        Stock("Basil the talking cat", "male", ("cat",)),
        Stock("Speckled Hen", "female", ("hen",)),
        Stock("Kuzya the house spirit", "male", ("old_man",)),
    ),
    elders=(Stock("Aunt Agatha", "female"), Stock("Grandpa Pakhom", "male")),
    quests=(Thing("magic frying pan", ("pan",)), Thing("famous cabbage pie", ("pie",)), Thing("golden spoon", ("spoon",))),
    gifts=(Thing("talking spoon", ("spoon",)), Thing("magic rolling pin", ("rolling_pin",)), Thing("rubber duck", ("duck",))),
    homes=(
        places("village", "the merry village of Sourmilk",
               "A rooster sat on the fence trying to crow in a bass voice.",
               "In the middle of the street lay a puddle so big that ducks lived in it."),
    ),
    roads=(
        way("road", "the bumpy road",
               "The road was so bumpy that carts bounced along it like fleas.",
               "A cow grazed by the road and looked at everyone with clear disapproval.",
               on=True),
        way("field", "the cabbage field",
               "The cabbages in the field grew so huge that one could hide behind them.", on=False),
    ),
    lairs=(
        places("swamp", "the marsh behind the vegetable gardens",
               "Frogs croaked in the marsh, and clearly out of tune."),
        places("house", "the hut on chicken legs",
               "The hut shifted from foot to foot and scratched one leg with the other."),
    ),
    words={"opening_time": ("Once", "Once upon a time", "Not so long ago")},
    atmosphere=(
        "Somewhere a rooster crowed at the top of its voice, though it was already noon.",
        "The goat next door had climbed onto the roof again and was admiring the view.",
        "A cloud floated across the sky that looked very much like a cabbage pie.",
        "A dog barked at its own tail and could not catch it.",
        "The geese walked in single file, arguing loudly about which of them was in charge.",
        "The wind tore the washing off the line, and somebody lost a pair of trousers to the next village.",
        "The sun shone so brightly that even the cat would have worn sunglasses, if it had any.",
    ),
)

TRAGEDY = GenreLexicon(
    heroes=(Stock("Dmitry", "male"), Stock("Maria", "female"), Stock("Alexei", "male"), Stock("Elena", "female")),
    villains=(Stock("Count Orlov", "male"), Stock("Princess Vyazemskaya", "female"), Stock("Judge Kholodov", "male")),
    helpers=(Stock("the faithful servant Foma", "male"), Stock("the old nurse", "female"), Stock("the childhood friend Paul", "male")),
    elders=(Stock("the old mother", "female"), Stock("Father", "male")),
    quests=(Thing("family ring", ("ring",)), Thing("good name of the family", ()), Thing("last letter from father", ("letter",))),
    gifts=(Thing("old letter", ("letter",)), Thing("old family sword", ("sword",)), Thing("silver locket", ("medallion",))),
    homes=_REAL_HOMES,
    roads=_REAL_ROADS,
    lairs=_REAL_LAIRS,
    words={"opening_time": ("In those distant years", "Long ago")},
    atmosphere=(
        "The sky was low and gray, as if it pressed down on the earth.",
        "The wind blew out the candles and moaned in the chimney.",
        "Somewhere a bell was tolling, slowly and sadly.",
        "Crows circled over the bare trees.",
        "The rain knocked at the windows like an uninvited guest.",
        "The days grew shorter, and the shadows grew longer.",
        "The house was quiet, only the clock measured out the time.",
    ),
)

DRAMA = GenreLexicon(
    heroes=(Stock("Andrew", "male"), Stock("Helen", "female"), Stock("Sergei", "male"), Stock("Olga", "female")),
    villains=(Stock("Uncle Arkady", "male"), Stock("the stepmother", "female"), Stock("Director Somov", "male")),
    helpers=(Stock("the old nanny", "female"), Stock("Paul", "male"), Stock("Vera from next door", "female")),
    elders=(Stock("Father", "male"), Stock("Grandmother", "female")),
    quests=(Thing("truth about the past", ()), Thing("family heirloom", ("medallion",)), Thing("lost letter", ("letter",))),
    gifts=(Thing("old photograph", ("photo",)), Thing("key to the attic", ("key",)), Thing("old family diary", ("book",))),
    homes=_REAL_HOMES,
    roads=_REAL_ROADS,
    lairs=_REAL_LAIRS,
    words={"opening_time": ("In those years", "Not so long ago")},
    atmosphere=(
        "That year the spring came late and reluctantly.",
        "Poplars rustled outside the window, and their fluff flew like snow.",
        "The room smelled of medicine and old grudges.",
        "The clock on the wall was slow, and nobody dared to set it right.",
        "In the evenings one could hear the tap dripping in the kitchen.",
        "Somewhere a radio was playing a song about the happiness of others.",
        "Tea went cold in the cups, and the conversation would not flow.",
    ),
)

HORROR = GenreLexicon(
    heroes=(Stock("Anna", "female"), Stock("Kostya", "male"), Stock("Lisa", "female"), Stock("Mike", "male")),
    villains=(
        Stock("the Black Shadow", "female", ("ghost",)),
        Stock("the Pale Lady", "female", ("ghost",)),
        Stock("the Master of the Cellar", "male", ("monster",)),
        Stock("the Bog Man", "male", ("swamp_creature",)),
    ),
    helpers=(Stock("the old wise woman", "female", ("old_woman",)), Stock("the old watchman", "male", ("old_man",)),
             Stock("Ember the black cat", "male", ("cat",))),
    elders=(Stock("Grandmother", "female"), Stock("Grandpa Matthew", "male")),
    quests=(Thing("old charm", ("amulet",)), Thing("key to the cellar", ("key",)), Thing("black book", ("book",))),
    gifts=(Thing("wax candle", ("candle",)), Thing("charmed lantern", ("lantern",)), Thing("pouch of salt", ("salt",))),
    homes=(
        places("village", "the old village by the marshes",
               "Half of the houses in the village stood with boarded-up windows.",
               "Crows circled above the roofs and cried, as if calling someone."),
        places("house", "the old house on the outskirts",
               "The house creaked and sighed, as if it were alive.",
               "The wallpaper was peeling, and old drawings by someone showed through underneath."),
    ),
    roads=(
        way("road", "the abandoned road", "Dead trees with bare crooked branches crowded around the road.", on=True),
        way("forest", "the night forest", "No birds sang in the night forest, and the silence rang in the ears.", on=False),
    ),
    lairs=(
        places("house", "the abandoned house",
               "Doors in the abandoned house creaked by themselves, and something moved in the mirrors.",
               "Cobwebs hung from the ceiling, thick as gray hair."),
        places("swamp", "the rotten marsh",
               "Pale lights wandered over the marsh, and nobody knew whose they were.",
               "The bog gurgled and smacked, as if it were chewing something.",
               on=True),
        places("cave", "the damp cellar",
               "The cellar smelled of earth and of something sweetish that made the head spin.",
               "Drops fell from the ceiling, and each one sounded like a footstep."),
    ),
    words={"opening_time": ("Once", "Not so long ago")},
    atmosphere=(
        "The moon hid behind the clouds, as if it too were afraid to look.",
        "The clock in the house stopped at exactly midnight.",
        "Far away a dog was howling, long and mournfully.",
        "The cold crept along the floor and got under the clothes.",
        "For a moment a pale face flashed in the window and disappeared.",
        "The candle crackled and bent its flame, though there was no draught.",
        "The silence was so thick that one could hear a heart beating.",
        "Something rustled in the corner, but there was nobody there.",
    ),
    night=True,
)

# --------------------------------------------------------------------------------------------
# Words of titles and text


def _setting(setting: str, on: bool = False) -> SettingWord:
    return SettingWord(setting, at="on" if on else "in", to="to", source="from")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


SETTING_WORDS = {
    **{w: _setting("forest") for w in _words("forest woods wood grove jungle thicket")},
    **{w: _setting("castle") for w in _words("castle palace tower fortress citadel kingdom")},
    **{w: _setting("village") for w in _words("village hamlet farm")},
    **{w: _setting("sea") for w in _words("sea ocean")},
    **{w: _setting("sea", on=True) for w in _words("island ship boat lighthouse")},
    **{w: _setting("mountains", on=True) for w in _words("mountain hill")},
    **{w: _setting("mountains") for w in _words("mountains hills valley")},
    **{w: _setting("city") for w in _words("city town street capital")},
    **{w: _setting("cave") for w in _words("cave dungeon cellar burrow den underground")},
    **{w: _setting("field") for w in _words("field meadow steppe prairie cemetery graveyard")},
    **{w: _setting("house") for w in _words("house home mansion cottage hut manor school hospital attic")},
    **{w: _setting("river", on=True) for w in _words("river lake pond shore")},
    **{w: _setting("swamp") for w in _words("swamp marsh bog")},
    **{w: _setting("sky") for w in _words("sky clouds heaven")},
    **{w: _setting("road", on=True) for w in _words("road path way highway")},
    **{w: _setting("train", on=True) for w in _words("train express railway")},
    **{w: _setting("sky") for w in _words("space galaxy")},
    **{w: _setting("sky", on=True) for w in _words("planet spaceship starship")},
    **{w: _setting("city", on=True) for w in _words("station")},
    **{w: _setting("village") for w in _words("valley")},
}

PROP_WORDS = {
    word: key
    for key, words in {
        "moon": "moon",
        "sun": "sun",
        "star": "star stars",
        "tree": "tree trees oak birch fir pine poplar poplars",
        "sword": "sword",
        "dragon": "dragon",
        "wolf": "wolf wolves",
        "fox": "fox",
        "crow": "crow crows raven ravens magpie",
        "owl": "owl",
        "cat": "cat",
        "horse": "horse",
        "bird": "bird birds firebird",
        "candle": "candle candles",
        "lantern": "lantern",
        "ship": "ship steamer boat",
        "train": "train carriage",
        "key": "key",
        "ring": "ring",
        "apple": "apple apples",
        "book": "book diary notebook",
        "letter": "letter letters",
        "clock": "clock hourglass",
        "mirror": "mirror mirrors",
        "crown": "crown",
        "feather": "feather",
        "cup": "cup",
        "shield": "shield",
        "bow": "bow",
        "cheese": "cheese",
        "honey": "honey",
        "pie": "pie",
        "spoon": "spoon",
        "umbrella": "umbrella",
        "hen": "hen",
        "cow": "cow cows",
        "goose": "goose geese",
        "rooster": "rooster cockerels",
        "skull": "skull",
        "ghost": "ghost",
        "fire": "fire flame",
        "bridge": "bridge",
        "window": "window windows",
        "door": "door doors",
        "snow": "snow",
        "mist": "mist fog",
        "cobweb": "cobwebs cobweb",
        "flower": "flower flowers daisies",
        "stone": "stone",
        "bread": "bread loaf",
        "comb": "comb",
        "hut": "hut huts",
        "church": "church",
        "bell": "bell",
        "spaceship": "spaceship spaceships starship starships rocket",
        "robot": "robot robots android",
        "crystal": "crystal diamond gem",
        "staff": "staff wand",
        "magnifying glass": "clue clues",
        "footprints": "footprints footprint",
        "handcuffs": "handcuffs",
        "unicorn": "unicorn",
        "amulet": "amulet locket",
        "planet": "planet planets",
        "house": "roof roofs room",
        "table": "table",
        "smoke": "smoke",
        "hand": "hand hands",
    }.items()
    for word in words.split()
}

NIGHT_WORDS = _words("night midnight moon dark darkness shadow shadows nightmare ghost ghosts vampire witch dead")

PORTABLE_WORDS = _words(
    "key ring sword apple feather book stone mirror crown cup letter box chest treasure amulet charm locket "
    "watch clock hat slipper shoe flower egg needle pie cheese lamp lantern pipe violin crystal pearl heart star "
    "necklace map scroll stone"
)

# Reading titles: who is a person, and which words mark a title about a thing.
PREPOSITIONS = _words("of in on at to from with under over beyond behind")

PERSON_NOUNS: dict[str, Gender] = {
    **{w: "male" for w in _words(
        "king prince wizard knight lord boy man father son brother captain soldier sailor pirate wolf bear cat dog "
        "frog raven hare rabbit dragon giant troll ghost vampire monster doctor hunter farmer fisherman baker "
        "tailor emperor duke count elf dwarf goblin orc robot detective thief stranger hero grandfather beast "
        "prophet shepherd groom wolfhound gentleman warrior magician sorcerer pilot astronaut student admiral "
        "commander professor inspector colonel navigator engineer biologist mechanic reporter banker android")},
    **{w: "female" for w in _words(
        "queen princess witch lady girl woman mother daughter sister fox mouse crow owl duck swan teacher empress "
        "duchess countess fairy mermaid heroine grandmother granny widow beauty shepherdess bride nightingale "
        "sorceress nurse maiden landlady maid")},
}

FEMALE_NAMES = _words(
    "alice anna anne mary maria emma olivia sophia sophie isabella mia charlotte amelia harper evelyn abigail emily "
    "elizabeth sarah jane lucy lily grace chloe hermione luna ginny bella wendy dorothy matilda cinderella ariel "
    "elsa anya helen olga vera natasha tatiana svetlana irina katya masha dasha nastya"
)
MALE_NAMES = _words(
    "harry ron tom jack john james robert michael william david richard joseph thomas charles peter paul george "
    "henry oliver frodo sam bilbo luke han darth sherlock ivan boris dmitry alexei sergei nikolai ilya oscar max"
)

COMMON_WORDS = (
    frozenset(SETTING_WORDS)
    | frozenset(PROP_WORDS)
    | NIGHT_WORDS
    | _words(
        "lost secret last first old new black white red green blue golden silver little great big long short "
        "war peace love time world dream dreams winter summer spring autumn fall day days light ice storm song "
        "tale story journey return rise end beginning silence mystery legend heart wars game games kingdom empire "
        "chronicles adventure adventures curse magic blood fear hope night express secret secrets hidden lonely "
        "wild strange dead living haunted cursed forgotten broken frozen burning one two three the"
    )
)

PACK = LanguagePack(
    beats=merge_beats(BEATS, en_modern.BEATS),
    genres={
        G.fairy_tale: FAIRY_TALE,
        G.bylina: BYLINA,
        G.fable: FABLE,
        G.novella: NOVELLA,
        G.comedy: COMEDY,
        G.tragedy: TRAGEDY,
        G.drama: DRAMA,
        G.horror: HORROR,
        **en_modern.GENRES,
    },
    setting_words=SETTING_WORDS,
    prop_words=PROP_WORDS,
    night_words=NIGHT_WORDS,
    portable_words=PORTABLE_WORDS,
    fallback_hero=Stock("Mary", "female"),
)
