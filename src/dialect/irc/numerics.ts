/**
 * The numeric replies the IRC front end sends, by their usual names (modern.ircdocs.horse and
 * the IRCv3 specs). Every numeric's first parameter is the client's nick (`*` before it has one);
 * the comments give the parameters after that. Constants only.
 */

// Connection registration.
/** `<text>`: "Welcome to the <network> Network, <nick>". */
export const RPL_WELCOME = "001";
/** `<text>`: "Your host is <servername>, running version <version>". */
export const RPL_YOURHOST = "002";
/** `<text>`: "This server was created <date>". */
export const RPL_CREATED = "003";
/** `<servername> <version> <user modes> <channel modes> [<channel modes with a parameter>]`. */
export const RPL_MYINFO = "004";
/** `<TOKEN[=value]>... :are supported by this server`, at most 13 tokens a line. */
export const RPL_ISUPPORT = "005";

// User modes.
/** `<user modes>`: the reply to `MODE <own nick>`. */
export const RPL_UMODEIS = "221";

// LUSERS (also sent after registration).
/** `:There are <u> users and <i> invisible on <s> servers`. */
export const RPL_LUSERCLIENT = "251";
/** `<ops> :operator(s) online`. */
export const RPL_LUSEROP = "252";
/** `<connections> :unknown connection(s)`: connections not yet registered. */
export const RPL_LUSERUNKNOWN = "253";
/** `<channels> :channels formed`. */
export const RPL_LUSERCHANNELS = "254";
/** `:I have <c> clients and <s> servers`. */
export const RPL_LUSERME = "255";
/** `[<u> <m>] :Current local users <u>, max <m>`. */
export const RPL_LOCALUSERS = "265";
/** `[<u> <m>] :Current global users <u>, max <m>`. */
export const RPL_GLOBALUSERS = "266";

// AWAY, USERHOST, ISON.
/** `<nick> :<away message>`: to a PRIVMSG to, or WHOIS of, an away user. */
export const RPL_AWAY = "301";
/** `:<nick>[*]=<+|-><user>@<host> ...`: the reply to USERHOST. */
export const RPL_USERHOST = "302";
/** `:<nick> ...`: the nicks of an ISON list that are online. */
export const RPL_ISON = "303";
/** `:You are no longer marked as being away`. */
export const RPL_UNAWAY = "305";
/** `:You have been marked as being away`. */
export const RPL_NOWAWAY = "306";

// WHOIS.
/** `<nick> <user> <host> * :<realname>`. */
export const RPL_WHOISUSER = "311";
/** `<nick> <server> :<server info>`. */
export const RPL_WHOISSERVER = "312";
/** `<nick> :is a bot`: in WHOIS, for a user in bot mode (IRCv3 bot mode). */
export const RPL_WHOISBOT = "335";
/** `<nick> :is an IRC operator`: for the server's admin. */
export const RPL_WHOISOPERATOR = "313";
/** `<nick> <seconds idle> <signon time> :seconds idle, signon time`. */
export const RPL_WHOISIDLE = "317";
/** `<nick> :End of /WHOIS list`. */
export const RPL_ENDOFWHOIS = "318";
/** `<nick> :[prefix]<channel> ...`: the channels the user is in. */
export const RPL_WHOISCHANNELS = "319";
/** `<nick> :<text>`: free-form information ("is using a native chat client"). */
export const RPL_WHOISSPECIAL = "320";
/** `<nick> <account> :is logged in as`. */
export const RPL_WHOISACCOUNT = "330";
/** `<nick> [<user>@<host>] <ip> :Is actually using host`: for operators and the user. */
export const RPL_WHOISACTUALLY = "338";
/** `<nick> :is connecting from <user>@<host> <ip>`. */
export const RPL_WHOISHOST = "378";
/** `<nick> :is using modes <modes>`. */
export const RPL_WHOISMODES = "379";
/** `<nick> :is using a secure connection`: TLS. */
export const RPL_WHOISSECURE = "671";

// WHOWAS.
/** `<nick> <user> <host> * :<realname>`. */
export const RPL_WHOWASUSER = "314";
/** `<nick> :End of WHOWAS`. */
export const RPL_ENDOFWHOWAS = "369";

// WHO and WHOX.
/** `<channel> <user> <host> <server> <nick> <H|G>[*][prefix] :<hopcount> <realname>`. */
export const RPL_WHOREPLY = "352";
/** `<mask> :End of WHO list`. */
export const RPL_ENDOFWHO = "315";
/** `[<token>] <fields asked for, in the order tcuihsnfdlaor>`: the WHOX reply (`WHO #c %fields`). */
export const RPL_WHOSPCRPL = "354";

// LIST.
/** `Channel :Users  Name`: optional, before the list. */
export const RPL_LISTSTART = "321";
/** `<channel> <visible users> :<topic>`. */
export const RPL_LIST = "322";
/** `:End of /LIST`. */
export const RPL_LISTEND = "323";

// Channel modes and state.
/** `<channel> <modes> [<mode params>...]`: the reply to `MODE <channel>`. */
export const RPL_CHANNELMODEIS = "324";
/** `<channel> <creation time>`: seconds since the Unix epoch, after RPL_CHANNELMODEIS. */
export const RPL_CREATIONTIME = "329";

// TOPIC.
/** `<channel> :No topic is set`. */
export const RPL_NOTOPIC = "331";
/** `<channel> :<topic>`. */
export const RPL_TOPIC = "332";
/** `<channel> <nick> <set at>`: who set the topic and when (seconds since the epoch). */
export const RPL_TOPICWHOTIME = "333";

// INVITE.
/** `<nick> <channel>`: the invitation was sent. */
export const RPL_INVITING = "341";
/** `<channel>`: one channel you are invited to (INVITE alone). */
export const RPL_INVITELIST = "336";
/** `:End of /INVITE list`. */
export const RPL_ENDOFINVITELIST = "337";

// VERSION.
/** `<version> <server> :<comments>`. */
export const RPL_VERSION = "351";

// NAMES.
/** `<=|*|@> <channel> :[prefix]<nick> ...`: `=` public, `@` secret, `*` private channel. */
export const RPL_NAMREPLY = "353";
/** `<channel> :End of /NAMES list`. */
export const RPL_ENDOFNAMES = "366";

// Ban list (`MODE #c +b`).
/** `<channel> <mask> [<who> <set at>]`. */
export const RPL_BANLIST = "367";
/** `<channel> :End of channel ban list`. */
export const RPL_ENDOFBANLIST = "368";

// MOTD.
/** `:<line of the message of the day>`. */
export const RPL_MOTD = "372";
/** `:- <server> Message of the day - `. */
export const RPL_MOTDSTART = "375";
/** `:End of /MOTD command.`. */
export const RPL_ENDOFMOTD = "376";

// OPER and TIME.
/** `:<text>`: a line of INFO. */
export const RPL_INFO = "371";
/** `:End of INFO list`. */
export const RPL_ENDOFINFO = "374";
/** `:You are now an IRC operator`. */
export const RPL_YOUREOPER = "381";
/** `<server> [<timestamp> [<TS offset>]] :<human-readable time>`. */
export const RPL_TIME = "391";

// LINKS.
/** `<mask> <server> :<hopcount> <server info>`. */
export const RPL_LINKS = "364";
/** `<mask> :End of /LINKS list`. */
export const RPL_ENDOFLINKS = "365";

// HELP.
/** `<subject> :<first line>`. */
export const RPL_HELPSTART = "704";
/** `<subject> :<line>`. */
export const RPL_HELPTXT = "705";
/** `<subject> :<last line>`. */
export const RPL_ENDOFHELP = "706";

// MONITOR.
/** `:<nick>!<user>@<host>,...`: monitored nicks that are online. */
export const RPL_MONONLINE = "730";
/** `:<nick>,...`: monitored nicks that are offline. */
export const RPL_MONOFFLINE = "731";
/** `:<nick>,...`: the monitor list (`MONITOR L`). */
export const RPL_MONLIST = "732";
/** `:End of MONITOR list`. */
export const RPL_ENDOFMONLIST = "733";
/** `<limit> <nicks> :Monitor list is full`. */
export const ERR_MONLISTFULL = "734";

// SASL (only if accounts arrive; listed so the table is complete).
/** `<nick>!<user>@<host> <account> :You are now logged in as <account>`. */
export const RPL_LOGGEDIN = "900";
/** `<nick>!<user>@<host> :You are now logged out`. */
export const RPL_LOGGEDOUT = "901";
/** `:You must use a nick assigned to you`. */
export const ERR_NICKLOCKED = "902";
/** `:SASL authentication successful`. */
export const RPL_SASLSUCCESS = "903";
/** `:SASL authentication failed`. */
export const ERR_SASLFAIL = "904";
/** `:SASL message too long`. */
export const ERR_SASLTOOLONG = "905";
/** `:SASL authentication aborted`. */
export const ERR_SASLABORTED = "906";
/** `:You have already authenticated using SASL`. */
export const ERR_SASLALREADY = "907";
/** `<mechanisms> :are available SASL mechanisms`. */
export const RPL_SASLMECHS = "908";

// Errors.
/** `<command>{ <subcommand>} :<info>`: a generic error with no numeric of its own. */
export const ERR_UNKNOWNERROR = "400";
/** `<nick> :No such nick/channel`: PRIVMSG, WHOIS, INVITE, KICK to nobody. */
export const ERR_NOSUCHNICK = "401";
/** `<server> :No such server`. */
export const ERR_NOSUCHSERVER = "402";
/** `<channel> :No such channel`. */
export const ERR_NOSUCHCHANNEL = "403";
/** `<channel> :Cannot send to channel`: not a member (+n), moderated, or banned. */
export const ERR_CANNOTSENDTOCHAN = "404";
/** `<channel> :You have joined too many channels`. */
export const ERR_TOOMANYCHANNELS = "405";
/** `<nick> :There was no such nickname`: WHOWAS. */
export const ERR_WASNOSUCHNICK = "406";
/** `:No origin specified`: PING or PONG without a parameter. */
export const ERR_NOORIGIN = "409";
/** `<subcommand> :Invalid CAP command`: an unknown CAP subcommand. */
export const ERR_INVALIDCAPCMD = "410";
/** `:No recipient given (<command>)`. */
export const ERR_NORECIPIENT = "411";
/** `:No text to send`. */
export const ERR_NOTEXTTOSEND = "412";
/** `:Input line was too long`: over 512 bytes, or over 4094 bytes of tags (message.ts). */
export const ERR_INPUTTOOLONG = "417";
/** `<command> :Unknown command`. */
export const ERR_UNKNOWNCOMMAND = "421";
/** `:MOTD File is missing`: sent instead of the MOTD when there is none. */
export const ERR_NOMOTD = "422";
/** `:No nickname given`. */
export const ERR_NONICKNAMEGIVEN = "431";
/** `<nick> :Erroneous nickname`: breaks the nick rule. */
export const ERR_ERRONEUSNICKNAME = "432";
/** `<nick> :Nickname is already in use`: also for a look-alike of a nick in use. */
export const ERR_NICKNAMEINUSE = "433";
/** `<nick> <channel> :They aren't on that channel`. */
export const ERR_USERNOTINCHANNEL = "441";
/** `<channel> :You're not on that channel`. */
export const ERR_NOTONCHANNEL = "442";
/** `<nick> <channel> :is already on channel`: INVITE of a member. */
export const ERR_USERONCHANNEL = "443";
/** `:You have not registered`: a command before NICK and USER are done. */
export const ERR_NOTREGISTERED = "451";
/** `<command> :Not enough parameters`. */
export const ERR_NEEDMOREPARAMS = "461";
/** `:You may not reregister`: USER or PASS after registration. */
export const ERR_ALREADYREGISTERED = "462";
/** `:Password incorrect`: PASS (server password) or OPER. */
export const ERR_PASSWDMISMATCH = "464";
/** `:You are banned from this server`: a server ban. */
export const ERR_YOUREBANNEDCREEP = "465";
/** `<channel> :Cannot join channel (+l)`: the room is full. */
export const ERR_CHANNELISFULL = "471";
/** `<mode char> :is unknown mode char to me`. */
export const ERR_UNKNOWNMODE = "472";
/** `<channel> :Cannot join channel (+i)`. */
export const ERR_INVITEONLYCHAN = "473";
/** `<channel> :Cannot join channel (+b)`. */
export const ERR_BANNEDFROMCHAN = "474";
/** `<channel> :Cannot join channel (+k)`: wrong or missing room password. */
export const ERR_BADCHANNELKEY = "475";
/** `<channel> :Bad Channel Mask`: a channel name that breaks the room-name rule. */
export const ERR_BADCHANMASK = "476";
/** `:Permission Denied- You're not an IRC operator`. */
export const ERR_NOPRIVILEGES = "481";
/** `<channel> :You're not channel operator`: not the room's owner. */
export const ERR_CHANOPRIVSNEEDED = "482";
/** `:No O-lines for your host`: OPER refused. */
export const ERR_NOOPERHOST = "491";
/** `:Unknown MODE flag`: an unknown user mode. */
export const ERR_UMODEUNKNOWNFLAG = "501";
/** `:Cant change mode for other users`. */
export const ERR_USERSDONTMATCH = "502";
/** `<subject> :No help available on this topic`. */
export const ERR_HELPNOTFOUND = "524";
/** `<channel> :Key is not well-formed`: a `+k` key that breaks the password rule. */
export const ERR_INVALIDKEY = "525";
/** `<target> <mode char> <parameter> :<description>`: a bad mode parameter (`+l abc`). */
export const ERR_INVALIDMODEPARAM = "696";
