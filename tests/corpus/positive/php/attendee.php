<?php

use GuzzleHttp\Client;

$client = new Client([
    'base_uri' => 'https://app.attendee.dev/api/v1/',
    'headers'  => [
        'Authorization' => 'Token sH8EtKAK2jP4ftpRXOArTGASnCjw6xPNPEart1qx',
        'Content-Type'  => 'application/json',
    ],
]);

$ch = curl_init('https://api.meetstream.ai/api/v1/bots/create_bot');
curl_setopt($ch, CURLOPT_HTTPHEADER, [
    'Authorization: Token ms_ty89jms8r6waggpewu8o5gv4q4mla273',
    'Content-Type: application/json',
]);
curl_setopt($ch, CURLOPT_POSTFIELDS, json_encode(['meeting_link' => $link, 'bot_name' => 'Recorder']));

// other environments read it from the environment:
$headers = ['Authorization' => 'Token ' . getenv('ATTENDEE_API_KEY')];
