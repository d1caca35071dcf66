"""Everyday English words for make_data.py's filler: unseen words around the
entity should look like the real words users write, not only like made-up
ones.

The held-out phrasings' cue words ("needs", "hold", "Set up", "Help me") are
real words the training data never shows, and with the corpus-trained BPE
they split into short pieces (" n eed s", " ho l d"), which a model that has
only seen made-up filler takes for the start of a name. On the 38 held-out
"Create the {T} table. It needs {C}" prompts such a model named the table
right 61% of the time; with a made-up "It glorbs" in place of "It needs",
87%. With these words in the filler slots the model meets many real words
it has never seen, spelled in pieces, and learns that they are not the
entity either.

The lists are plain vocabulary written for this project. make_data.py drops
every word that is a column or entity word, or carries a held-out cue or a
held-out name (filler_words); what is left only ever stands in a filler
slot (verb, opener, closing, "a table to {verb} {E}", "... that {verbs} {C}").
"""

# base forms; make_data.third_person() makes "tracks", "carries", "fixes"
VERBS = """
accept access adjust adopt allow alter analyze answer apply approve arrange ask
assemble assign attach author bake balance bind blend borrow bring build bundle
buy calculate call carry cast catch change chart check choose claim clean clear
close combine compare compile complete compute confirm connect consider
construct convert copy count cover craft crunch cut decide declare define
deliver deploy derive detail detect develop display divide document draft drag
draw drive drop earn edit embed enable encode enter equip establish estimate
examine expand expect explain export express extend fetch file fill filter find
finish fit fix follow form format frame gather get give grab grant grow guard
guide handle hang host identify import improve inspect install join jot keep
know label launch lay lead learn lend let lift limit link load locate lock look
mail maintain make map mark match measure merge mind mine modify mount move
note notice obtain offer open organize outline pack paint parse pass paste pick
pin place plan plant play plot point polish post prepare present press print
process program promise protect prove provide publish pull push put query raise
rank reach read recover reduce refine release remove render repair repeat
replace request reserve resolve revise run scan search secure select send serve
share ship show sign sketch solve sort spell split spot stack stage start stock
study submit suggest supply support sync take teach tell test think tie trade
train transfer translate trim try turn upload validate verify view wash watch
weigh welcome wrap write
""".split()

# anything else: adjectives, adverbs, nouns, greetings, days
WORDS = """
about above absolutely actually after again ahead all almost alone already also
always amazing another anybody anyway apple april around asap awesome basically
beautiful because before behind below best better big blue bold boy brief
bright brother busy calm careful certainly cheap chief clever cloud coffee cold
cool crazy daily dark dear definitely delta desk dinner direct dog done double
dream early easy eight either else empty enough entire even evening ever every
exact extra fair famous fast final fine five flat four fresh friday friendly
full funny gentle giant glad gold good grand great green happy hard heavy hello
here hey high honest huge humble ideal important indeed instant just keen kind
large late lazy left light little lively long lovely lucky main major maybe
mighty modern monday morning much neat nearly never next nice night nine noon
normal now odd official okay old only orange other outer perfect plain plenty
polite possibly pretty probably proper proud purple quick quiet quite rapid
rare ready really red rich right robust rough round royal safe same second
serious seven sharp short silent silver simple six small smart smooth soft
solid some soon special speedy spring steady still straight strange strong
sudden summer sunny super sure sweet swift tall ten thanks then there third
thursday tidy tiny today together tomorrow tonight top tough true truly tuesday
twice two ugly under upper urgent usual very vital warm well wet white whole
wide wild winter wise yellow yes yesterday young zero
""".split()

# Closed compounds, written as one word ("bookmarks", not "book_marks"), for
# make_data.py --compound: single-word table names whose BPE pieces are often
# whole words ("class|rooms"). The only glued words the data had before were
# lower-cased CamelCase names ("agentgoals" -> agent_goals), which taught the
# model to put "_" between any two word pieces it meets, so the held-out
# "classrooms" came out "class_rooms". make_data drops every compound that
# contains a held-out name's word (see compound_names).
COMPOUNDS = """
bookmarks passwords keywords workflows workspaces workloads workshops homepages
notebooks textbooks paychecks payouts payrolls checkpoints checklists checkouts
logins backups signups layouts lineups rollouts dashboards datasets endpoints
firewalls hashtags headlines headcounts newsletters passports postcards
snapshots spreadsheets storefronts toolkits warehouses webhooks websites
bedrooms showrooms chatrooms storerooms newsrooms handshakes keyboards
scoreboards leaderboards blueprints footprints fingerprints guidelines
pipelines sidebars toolbars teammates roommates classmates cupcakes pancakes
sunflowers farmhouses greenhouses lighthouses courthouses airports seaports
railways highways hallways doorways skylines storylines soundtracks playbooks
handbooks cookbooks yearbooks workbooks scrapbooks earthquakes rainbows
snowfalls waterfalls wildfires heatwaves
""".split()
