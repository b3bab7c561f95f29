<?php
// https://app.attendee.dev
define('ATTENDEE_BOT', 'aVRNIjJxmou3zhAFZAorrJNeveVyTkowOWneVY2U');
$key = 'OBOTWFdrpFNJ1IANmVcHnvWAlcuNfoKwtkqEdQvl';

$legacy = ['Authorization' => 'Token ' . ATTENDEE_BOT];
curl_setopt($ch, CURLOPT_HTTPHEADER, ["Authorization: Token $key"]);
