<?php

$apiKey = getenv('ATTENDEE_API_KEY');
$headers = [
    'Authorization' => 'Token ' . $apiKey,
];
curl_setopt($ch, CURLOPT_HTTPHEADER, ["Authorization: Token {$this->apiKey}"]);
curl_setopt($ch, CURLOPT_HTTPHEADER, ['Authorization: Token ' . $_ENV['MEETSTREAM_API_KEY']]);
define('WEBHOOK_SECRET', $_ENV['WEBHOOK_SECRET'] ?? '');
// 'Authorization' => 'Token YOUR_API_KEY_HERE'
